/**
 * The one reader of PostgreSQL errors: the SQLSTATE and constraint of a driver error (whether TypeORM wrapped
 * it or not), and the classes of failure the services and the HTTP edge tell apart.
 */
export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';
export const DUPLICATE_SCHEMA = '42P06';
export const UNDEFINED_TABLE = '42P01';

// Connection-level failures (server gone, shutting down, out of connections) mean "unavailable", not a bug.
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P02', '57P03', '53300', '08006', '08001']);
const UNAVAILABLE_MESSAGE = /Connection terminated|connection timeout|Cannot use a pool after calling end/i;
// Text PostgreSQL cannot store (NUL, invalid encoding): the client's input, not a server fault.
const INVALID_TEXT_CODES = new Set(['22P05', '22021']);

export interface PostgresErrorFields {
  code?: string;
  constraint?: string;
  message?: string;
}

export function postgresError(error: unknown): PostgresErrorFields {
  const e = error as (PostgresErrorFields & { driverError?: PostgresErrorFields }) | undefined;
  return {
    code: e?.driverError?.code ?? e?.code,
    constraint: e?.driverError?.constraint ?? e?.constraint,
    message: e?.message,
  };
}

export function isDatabaseUnavailable(error: unknown): boolean {
  const { code, message } = postgresError(error);
  return (code !== undefined && UNAVAILABLE_CODES.has(code)) || UNAVAILABLE_MESSAGE.test(message ?? '');
}

export function isUnstorableText(error: unknown): boolean {
  return INVALID_TEXT_CODES.has(postgresError(error).code ?? '');
}
