import { DynamicModule, Global, Module } from '@nestjs/common';
import { EnvironmentVariables } from './environment-variables';

/** Makes the validated configuration injectable as `EnvironmentVariables` everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: EnvironmentVariables): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: EnvironmentVariables, useValue: config }],
      exports: [EnvironmentVariables],
    };
  }
}
