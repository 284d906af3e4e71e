import { plainToInstance, Transform } from 'class-transformer';
import { withoutConsequentialErrors } from '../common/consequential-errors';
import { IsTrustProxy } from './trust-proxy';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];
const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};
const emptyToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** Every setting Tenantry reads from the environment, with its default. `.env.example` mirrors this class. */
export class EnvironmentVariables {
  @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @Transform(emptyToUndefined) @IsOptional() @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /** A direct (not pooled) connection for LISTEN, when DATABASE_URL points at PgBouncer; defaults to DATABASE_URL. */
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_DIRECT_URL must be a postgres:// URL' })
  DATABASE_DIRECT_URL?: string;

  /**
   * Every this many seconds the LISTEN connection runs `SELECT 1`; one that gets no answer within as long (a
   * database host gone without a reset, a NAT that dropped the flow) is dropped and replaced. 0 = never.
   */
  @Transform(toInt) @IsInt() @Min(0) @Max(3600)
  LISTEN_HEARTBEAT_SECONDS = 30;

  @IsString()
  EMBEDDED_PG_DATA_DIR = '.data/postgres';

  @Transform(toInt) @IsInt() @Min(1024) @Max(65535)
  EMBEDDED_PG_PORT = 54329;

  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(32, { message: 'ADMIN_API_KEY must be at least 32 characters' })
  ADMIN_API_KEY?: string;

  @Transform(toInt) @IsInt() @Min(100_000) @Max(10_000_000)
  API_KEY_PBKDF2_ITERATIONS = 100_000;

  @Transform(toInt) @IsInt() @Min(1) @Max(3600)
  AUTH_CACHE_TTL_SECONDS = 60;

  @Transform(toInt) @IsInt() @Min(1) @Max(1_000_000)
  AUTH_CACHE_MAX = 10_000;

  @Transform(toInt) @IsInt() @Min(1) @Max(10_000)
  AUTH_FAILURE_LIMIT = 20;

  @Transform(toInt) @IsInt() @Min(1) @Max(86_400)
  AUTH_FAILURE_WINDOW_SECONDS = 60;

  /**
   * Failed authentications are written to the shared counters at most once per this many ms per instance (one
   * statement for all of them; each failure is answered once written): what a flood of bad keys costs PostgreSQL.
   */
  @Transform(toInt) @IsInt() @Min(0) @Max(1000)
  AUTH_FAILURE_FLUSH_MS = 25;

  /**
   * Requests a second each instance admits per tenant that has no rate limit of its own (token bucket, burst
   * = the same number); 0 = unlimited. Per instance: N instances admit up to N times this.
   */
  @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000)
  TENANT_RATE_LIMIT_RPS = 0;

  /** Tenant DataSources kept (entity metadata bound to a schema, ~30 KB each; they hold no connections). */
  @Transform(toInt) @IsInt() @Min(1) @Max(100_000)
  TENANT_DATASOURCE_MAX = 1000;

  /** Connections of the one pool all tenant DataSources share. */
  @Transform(toInt) @IsInt() @Min(1) @Max(1000)
  TENANT_POOL_MAX = 10;

  /** Of those, the most one tenant holds at once (capped at TENANT_POOL_MAX): a busy tenant cannot starve the rest. */
  @Transform(toInt) @IsInt() @Min(1) @Max(1000)
  TENANT_POOL_MAX_PER_TENANT = 5;

  @Transform(toInt) @IsInt() @Min(1) @Max(86_400)
  TENANT_IDLE_SECONDS = 300;

  @Transform(toInt) @IsInt() @Min(1) @Max(1000)
  SHARED_POOL_MAX = 10;

  @Transform(toInt) @IsInt() @Min(0) @Max(86_400)
  DB_CONNECTION_MAX_LIFETIME_SECONDS = 600;

  @Transform(toInt) @IsInt() @Min(0) @Max(3_600_000)
  DB_STATEMENT_TIMEOUT_MS = 30_000;

  /** Proxies in front of the app whose X-Forwarded-For is believed (src/config/trust-proxy.ts); empty = none. */
  @IsTrustProxy()
  TRUST_PROXY = '';

  @Matches(/^\d+(b|kb|mb)$/i, { message: 'BODY_LIMIT must look like 1mb, 512kb or 1048576b' })
  BODY_LIMIT = '1mb';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevelName = 'log';

  /** json (one object a line) or pretty (pino-pretty, for people); unset = pretty when stdout is a terminal. */
  @Transform(emptyToUndefined) @IsOptional() @IsIn(LOG_FORMATS)
  LOG_FORMAT?: LogFormat;

  /** Separate listener for GET /metrics without the admin key (unset = /metrics on PORT with X-Admin-Key only). */
  @Transform(({ value }) => toInt({ value: emptyToUndefined({ value }) })) @IsOptional() @IsInt() @Min(1) @Max(65535)
  METRICS_PORT?: number;

  /** false: no /metrics (404), no per-request duration histogram, no process metrics collector. */
  @Transform(toBool) @IsBoolean()
  METRICS_ENABLED = true;

  /** Add a tenant label to the per-tenant metric families (one series per tenant: mind the cardinality). */
  @Transform(toBool) @IsBoolean()
  METRICS_TENANT_LABELS = false;

  /** On SIGTERM/SIGINT, how long in-flight requests get to finish before the process closes anyway. */
  @Transform(toInt) @IsInt() @Min(0) @Max(3600)
  SHUTDOWN_GRACE_SECONDS = 10;

  @Transform(toBool) @IsBoolean()
  MIGRATIONS_RUN_ON_START = true;

  @Transform(toInt) @IsInt() @Min(0) @Max(1000)
  SPARE_SCHEMA_POOL_SIZE = 0;

  /** Days a deleted tenant's data is kept (restorable) before the purge removes it; 0 = at the next purge. */
  @Transform(toInt) @IsInt() @Min(0) @Max(3650)
  TENANT_RETENTION_DAYS = 7;

  /** How often (seconds) the server purges deleted tenants past their retention (one instance at a time); 0 = never. */
  @Transform(toInt) @IsInt() @Min(0) @Max(86_400)
  TENANT_PURGE_INTERVAL_SECONDS = 60;

  /**
   * Largest archive an import reads, in bytes once decompressed (and as sent): past it the import stops at once,
   * rolls back and answers 413. Bounds what a small gzip bomb writes into the database; 0 = no limit. Not clones.
   */
  @Transform(toInt) @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER)
  IMPORT_MAX_ARCHIVE_BYTES = 10 * 1024 ** 3;

  @Transform(toInt) @IsInt() @Min(1) @Max(86_400)
  JOB_BACKOFF_BASE_SECONDS = 5;

  @Transform(toInt) @IsInt() @Min(1) @Max(604_800)
  JOB_BACKOFF_MAX_SECONDS = 3600;

  /** How often each instance sweeps expired leases of every tenant that holds running jobs (seconds). */
  @Transform(toInt) @IsInt() @Min(1) @Max(3600)
  JOB_SWEEP_INTERVAL_SECONDS = 5;

  /** Log streams (GET /jobs/{id}/logs/stream) open at once on this instance; past it, 503. */
  @Transform(toInt) @IsInt() @Min(1) @Max(100_000)
  JOB_LOG_STREAMS_MAX = 1000;

  /** Log streams one tenant may hold open at once on this instance; past it, 429. */
  @Transform(toInt) @IsInt() @Min(1) @Max(100_000)
  JOB_LOG_STREAMS_PER_TENANT_MAX = 100;

  /** Seconds between the keep-alive comments of a log stream (each also re-reads the log). */
  @Transform(toInt) @IsInt() @Min(1) @Max(300)
  JOB_LOG_STREAM_KEEPALIVE_SECONDS = 15;

  /** How often each instance queues the jobs of due schedules in every tenant that has one (seconds; ≤ 10 keeps occurrences within 10 s). */
  @Transform(toInt) @IsInt() @Min(1) @Max(60)
  SCHEDULE_TICK_SECONDS = 5;

  /** Old-generation growth past the live heap before a full GC, in percent (src/config/v8-tuning.ts); 0 = V8's default. */
  @Transform(toInt) @IsInt() @Min(0) @Max(1000)
  HEAP_GROWTH_PERCENT = 50;

  /** V8's allocation-site pretenuring; off by default, as it moved every request's data into the old generation (src/config/v8-tuning.ts). */
  @Transform(toBool) @IsBoolean()
  V8_PRETENURING = false;

  @MaxLength(200)
  @IsString()
  INSTANCE_NAME = 'tenantry';
}

export class ConfigValidationError extends Error {}

/** Validates the environment once; a bad value throws an error that names every offending variable. */
export function validateEnvironment(env: NodeJS.ProcessEnv): EnvironmentVariables {
  const known = Object.keys(new EnvironmentVariables());
  const picked: Record<string, unknown> = {};
  for (const key of [...known, 'DATABASE_URL', 'DATABASE_DIRECT_URL', 'ADMIN_API_KEY', 'LOG_FORMAT', 'METRICS_PORT']) {
    if (env[key] !== undefined) picked[key] = env[key];
  }
  const config = plainToInstance(EnvironmentVariables, picked, { exposeDefaultValues: true });
  const errors = withoutConsequentialErrors(validateSync(config, { whitelist: false, forbidUnknownValues: true }));
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const shown = ['DATABASE_URL', 'DATABASE_DIRECT_URL', 'ADMIN_API_KEY'].includes(e.property) ? '(hidden)' : JSON.stringify(e.value);
      return `  ${e.property}=${shown}: ${Object.values(e.constraints ?? {}).join('; ')}`;
    });
    throw new ConfigValidationError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return config;
}
