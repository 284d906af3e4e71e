import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { requestLogOptions } from './request-log-options';

/** nestjs-pino on the process's root logger: Nest's Logger writes through pino, pino-http logs each request. */
@Module({})
export class LoggingModule {
  static forRoot(logger: Logger): DynamicModule {
    return { module: LoggingModule, imports: [LoggerModule.forRoot({ pinoHttp: requestLogOptions(logger) })] };
  }
}
