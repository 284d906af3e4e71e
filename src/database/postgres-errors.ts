/**
 * The one reader of PostgreSQL errors: the SQLSTATE and constraint of a driver error (whether TypeORM wrapped
 * it or not), and the classes of failure the services and the HTTP edge tell apart.
 */
export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';
export const DUPLICATE_SCHEMA = '42P06';
export const UNDEFINED_TABLE = '42P01';
export const DEADLOCK_DETECTED = '40P01';

// Connection-level failures (server gone, shutting down, out of connections, connection lost mid-request), a
// statement cancelled by statement_timeout (57014) and a deadlock victim (40P01: rolled back, e.g. under a tenant
// deletion) mean "unavailable, retry", not a bug.
const UNAVAILABLE_CODES = new Set([
  DEADLOCK_DETECTED,
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57014',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08003',
  '08006',
  '08001',
]);
const UNAVAILABLE_MESSAGE = new RegExp(
  [
    'Connection terminated',
    'connection timeout',
    'timeout exceeded when trying to connect',
    'Cannot use a pool after calling end',
    'Query read timeout',
    'connection error and is not queryable',
    'Client was closed and is not queryable',
    'the tenant connection pool is closed',
  ].join('|'),
  'i',
);
// TypeORM's QueryRunnerAlreadyReleasedError: the runner went away under the request (a database stop or drain);
// QueryRunnerProviderAlreadyReleasedError: the same met by a transaction's manager, whose runner TypeORM released
// when its connection was lost between two statements.
const UNAVAILABLE_ERROR_NAMES = new Set(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError']);
// A table or schema that is not there: on a tenant request, the schema was dropped (the tenant deleted) under it.
const MISSING_RELATION_CODES = new Set([UNDEFINED_TABLE, '3F000']);
// Text PostgreSQL cannot store (NUL, invalid encoding): the client's input, not a server fault.
const INVALID_TEXT_CODES = new Set(['22P05', '22021']);

// `… violates unique constraint "targets_name_key"`, `… violates foreign key constraint "…"`, `… check constraint "…"`.
const CONSTRAINT_IN_MESSAGE = /\bconstraint "((?:[^"]|"")+)"/;
// Citus names a shard's objects after the table's with `_<shard id>` appended (`targets_name_key_102017`).
// PostgreSQL's own generated names never end in `_<digits>` (it appends digits without an underscore), nor do ours.
const SHARD_SUFFIX = /_\d+$/;

export interface PostgresErrorFields {
  code?: string;
  /** The constraint's name as the schema declares it: read from the message when the field is missing, shard suffix stripped. */
  constraint?: string;
  message?: string;
  name?: string;
}

export function postgresError(error: unknown): PostgresErrorFields {
  const e = error as (PostgresErrorFields & { driverError?: PostgresErrorFields }) | undefined;
  const message = e?.message;
  // Errors relayed from a Citus worker carry no `constraint` field, only the message.
  const named = e?.driverError?.constraint ?? e?.constraint ?? CONSTRAINT_IN_MESSAGE.exec(message ?? '')?.[1]?.replace(/""/g, '"');
  return {
    code: e?.driverError?.code ?? e?.code,
    constraint: named?.replace(SHARD_SUFFIX, ''),
    message,
    name: e?.name,
  };
}

export function isDatabaseUnavailable(error: unknown): boolean {
  const { code, message, name } = postgresError(error);
  return (
    (code !== undefined && UNAVAILABLE_CODES.has(code)) ||
    (name !== undefined && UNAVAILABLE_ERROR_NAMES.has(name)) ||
    UNAVAILABLE_MESSAGE.test(message ?? '')
  );
}

// The database cannot be reached or will not take this client: no such host, wrong password or role, no such database.
const CONNECTION_REFUSED_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', '28P01', '28000', '3D000']);
// Unavailable, but about one statement rather than the connection: a statement timeout, a deadlock victim.
const STATEMENT_LEVEL_CODES = new Set(['57014', DEADLOCK_DETECTED]);

/**
 * A failure of the connection itself (unreachable, refused, lost, or the server shutting down), as a process that
 * talks to the database once (the CLI) reports it: one line, not a stack. Null for any other error.
 */
export function connectionFailure(error: unknown): string | null {
  const { code, message } = postgresError(error);
  const connection =
    (isDatabaseUnavailable(error) && !STATEMENT_LEVEL_CODES.has(code ?? '')) || CONNECTION_REFUSED_CODES.has(code ?? '');
  if (!connection) return null;
  // Node's connect over several addresses is an AggregateError with an empty message: its first error says where.
  const first = (error as { errors?: Array<{ message?: string }> }).errors?.[0]?.message;
  return message || first || code || 'connection failed';
}

export const COMMIT_UNCONFIRMED_MESSAGE =
  'Database unavailable while committing: the change may have been saved; read it back before repeating it';

/** Set by StatementTimeoutClient on the error of a `COMMIT` whose outcome the client never heard. */
export function markCommitUnconfirmed(error: object): void {
  Object.assign(error, { commitUnconfirmed: true });
}

/**
 * A `COMMIT` that timed out or lost its connection before the server answered: the transaction may have been
 * committed or not (TypeORM's QueryFailedError copies the mark from the driver's error).
 */
export function isCommitUnconfirmed(error: unknown): boolean {
  const e = error as { commitUnconfirmed?: unknown; driverError?: { commitUnconfirmed?: unknown } } | null | undefined;
  return e?.commitUnconfirmed === true || e?.driverError?.commitUnconfirmed === true;
}

export function isDeadlock(error: unknown): boolean {
  return postgresError(error).code === DEADLOCK_DETECTED;
}

/** `relation … does not exist` / `schema … does not exist` (42P01, 3F000). */
export function isMissingRelation(error: unknown): boolean {
  return MISSING_RELATION_CODES.has(postgresError(error).code ?? '');
}

export function isUnstorableText(error: unknown): boolean {
  return INVALID_TEXT_CODES.has(postgresError(error).code ?? '');
}
