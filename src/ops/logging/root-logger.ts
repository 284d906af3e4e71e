import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { requestStorage } from '../../common/request-context';
import type { EnvironmentVariables, LogFormat, LogLevelName } from '../../config/environment-variables';
import { TenantContext } from '../../tenancy/auth/tenant-context';

/** LOG_LEVEL speaks Nest's level names; pino calls `log` info and `verbose` trace. */
const PINO_LEVEL: Record<LogLevelName, Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** Credential headers, censored wherever a request or response object would be logged (none is, by design). */
const REDACTED_PATHS = ['x-api-key', 'x-admin-key', 'authorization', 'cookie'].flatMap((header) => [
  `req.headers["${header}"]`,
  `headers["${header}"]`,
]);

const tenants = new TenantContext();

/** Injection token of the root pino logger. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * What every line logged while serving a request carries: its id and, once authenticated, the tenant's slug.
 * A new object each time: pino merges the line's own fields into it.
 */
function requestFields(): object {
  const state = requestStorage.getStore();
  if (!state) return {};
  const tenant = tenants.current;
  return tenant ? { requestId: state.requestId, tenant: tenant.slug } : { requestId: state.requestId };
}

export function logFormatOf(config: EnvironmentVariables, stdoutIsTerminal = process.stdout.isTTY === true): LogFormat {
  return config.LOG_FORMAT ?? (stdoutIsTerminal ? 'pretty' : 'json');
}

/**
 * The process's one pino logger: JSON lines on stdout (or pino-pretty for people), at LOG_LEVEL. Nest's
 * Logger, the per-request line and the SQL logger all write through it. `destination` replaces stdout (tests).
 */
export function createRootLogger(config: EnvironmentVariables, destination?: DestinationStream): Logger {
  const stream =
    destination ??
    (logFormatOf(config) === 'pretty'
      ? pretty({ sync: true, colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
      : process.stdout); // synchronous for files and pipes, so nothing is lost at exit
  return pino(
    {
      level: PINO_LEVEL[config.LOG_LEVEL],
      base: { pid: process.pid, instance: config.INSTANCE_NAME },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      mixin: requestFields,
    },
    stream,
  );
}
