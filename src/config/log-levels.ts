import type { LogLevel } from '@nestjs/common';
import type { LogLevelName } from './environment-variables';

const ORDER: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** LOG_LEVEL=warn means fatal, error and warn. */
export function logLevelsFrom(level: LogLevelName): LogLevel[] {
  return ORDER.slice(0, ORDER.indexOf(level) + 1);
}
