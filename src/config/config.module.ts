import { DynamicModule, Global, Module } from '@nestjs/common';
import { DrainSignal } from '../common/drain-signal';
import { EnvironmentVariables } from './environment-variables';

/** Makes the validated configuration (`EnvironmentVariables`) and the process's DrainSignal injectable everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: EnvironmentVariables): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: EnvironmentVariables, useValue: config }, DrainSignal],
      exports: [EnvironmentVariables, DrainSignal],
    };
  }
}
