import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's built-in loggers print a failed query together with its parameters, and those include API key
 * hashes and salts (a duplicate slug is enough) and tenant data. This one never logs parameters: a failed
 * statement goes to the debug log, and an unexpected error reaches the error log through the exception filter.
 */
export class QueryLogger implements TypeOrmLogger {
  private readonly logger = new Logger('SQL');

  logQuery(): void {}

  logQueryError(error: string | Error, query: string): void {
    this.logger.debug(`query failed (${error instanceof Error ? error.message : error}): ${query}`);
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`slow query (${time} ms): ${query}`);
  }

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}
