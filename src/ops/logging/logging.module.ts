import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { NestPinoLogger } from './nest-pino-logger';
import { ROOT_LOGGER } from './root-logger';

/** The process's root pino logger, and Nest's Logger written through it (the request lines are the request edge's). */
@Module({})
export class LoggingModule {
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: LoggingModule,
      global: true,
      providers: [
        { provide: ROOT_LOGGER, useValue: logger },
        { provide: NestPinoLogger, useValue: new NestPinoLogger(logger) },
      ],
      exports: [ROOT_LOGGER, NestPinoLogger],
    };
  }
}
