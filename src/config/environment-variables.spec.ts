import { ConfigValidationError, EnvironmentVariables, validateEnvironment } from './environment-variables';

const ADMIN_KEY = 'k'.repeat(32);

function problem(env: NodeJS.ProcessEnv): string {
  try {
    validateEnvironment(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('validateEnvironment', () => {
  it('fills every default from an empty environment', () => {
    const config = validateEnvironment({});
    expect(config).toBeInstanceOf(EnvironmentVariables);
    expect(config).toMatchObject({
      PORT: 3000,
      HOST: '0.0.0.0',
      API_KEY_PBKDF2_ITERATIONS: 100_000,
      AUTH_CACHE_TTL_SECONDS: 60,
      AUTH_FAILURE_LIMIT: 20,
      AUTH_FAILURE_FLUSH_MS: 25,
      TENANT_DATASOURCE_MAX: 1000,
      TENANT_POOL_MAX: 10,
      TENANT_IDLE_SECONDS: 300,
      SHARED_POOL_MAX: 10,
      BODY_LIMIT: '1mb',
      LOG_LEVEL: 'log',
      MIGRATIONS_RUN_ON_START: true,
      HEAP_GROWTH_PERCENT: 50,
      V8_PRETENURING: false,
      IMPORT_MAX_ARCHIVE_BYTES: 10 * 1024 ** 3,
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.ADMIN_API_KEY).toBeUndefined();
  });

  it('converts numbers and booleans from their string form', () => {
    const config = validateEnvironment({
      PORT: ' 8080 ',
      TENANT_POOL_MAX: '5',
      MIGRATIONS_RUN_ON_START: 'no',
      DATABASE_URL: 'postgres://u:p@localhost:5432/db',
      ADMIN_API_KEY: ADMIN_KEY,
    });
    expect(config.PORT).toBe(8080);
    expect(config.TENANT_POOL_MAX).toBe(5);
    expect(config.MIGRATIONS_RUN_ON_START).toBe(false);
    expect(config.DATABASE_URL).toBe('postgres://u:p@localhost:5432/db');
    expect(config.ADMIN_API_KEY).toBe(ADMIN_KEY);
  });

  it('treats empty DATABASE_URL and ADMIN_API_KEY as unset (admin API off, embedded database)', () => {
    const config = validateEnvironment({ DATABASE_URL: '', ADMIN_API_KEY: '  ' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.ADMIN_API_KEY).toBeUndefined();
  });

  it('reads the operations settings: log format, metrics listener and labels, shutdown grace', () => {
    expect(validateEnvironment({})).toMatchObject({ METRICS_TENANT_LABELS: false, SHUTDOWN_GRACE_SECONDS: 10 });
    expect(validateEnvironment({}).LOG_FORMAT).toBeUndefined();
    expect(validateEnvironment({ METRICS_PORT: '' }).METRICS_PORT).toBeUndefined();
    const config = validateEnvironment({ LOG_FORMAT: 'pretty', METRICS_PORT: '9464', METRICS_TENANT_LABELS: 'true', SHUTDOWN_GRACE_SECONDS: '3' });
    expect(config).toMatchObject({ LOG_FORMAT: 'pretty', METRICS_PORT: 9464, METRICS_TENANT_LABELS: true, SHUTDOWN_GRACE_SECONDS: 3 });
  });

  it('ticks the scheduler every 5 s by default, or as set', () => {
    expect(validateEnvironment({}).SCHEDULE_TICK_SECONDS).toBe(5);
    expect(validateEnvironment({ SCHEDULE_TICK_SECONDS: '2' }).SCHEDULE_TICK_SECONDS).toBe(2);
  });

  it('ignores variables it does not know', () => {
    expect(() => validateEnvironment({ PATH: '/bin', SOMETHING_ELSE: 'x' })).not.toThrow();
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '1.5'],
    ['TENANT_POOL_MAX', '0'],
    ['TENANT_POOL_MAX', '-1'],
    ['TENANT_DATASOURCE_MAX', '0'],
    ['SHARED_POOL_MAX', 'ten'],
    ['API_KEY_PBKDF2_ITERATIONS', '99999'],
    ['API_KEY_PBKDF2_ITERATIONS', '1000'],
    ['AUTH_CACHE_TTL_SECONDS', '0'],
    ['AUTH_FAILURE_LIMIT', '0'],
    ['AUTH_FAILURE_FLUSH_MS', '-1'],
    ['AUTH_FAILURE_FLUSH_MS', '1001'],
    ['BODY_LIMIT', 'lots'],
    ['LOG_LEVEL', 'chatty'],
    ['MIGRATIONS_RUN_ON_START', 'maybe'],
    ['LOG_FORMAT', 'xml'],
    ['METRICS_PORT', '0'],
    ['METRICS_PORT', 'nine'],
    ['METRICS_TENANT_LABELS', 'perhaps'],
    ['SHUTDOWN_GRACE_SECONDS', '-1'],
    ['SCHEDULE_TICK_SECONDS', '0'],
    ['SCHEDULE_TICK_SECONDS', '61'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(problem({ [name]: value })).toContain(`${name}=`);
  });

  it('tells a value of the wrong type its type only, not the ranges it has no part in', () => {
    expect(problem({ PORT: 'abc' })).toBe('Invalid configuration:\n  PORT="abc": PORT must be an integer number');
    expect(problem({ PORT: '70000' })).toBe('Invalid configuration:\n  PORT=70000: PORT must not be greater than 65535');
  });

  it('refuses an ADMIN_API_KEY shorter than 32 characters without printing it', () => {
    const message = problem({ ADMIN_API_KEY: 'short-admin-secret' });
    expect(message).toContain('ADMIN_API_KEY');
    expect(message).toContain('at least 32 characters');
    expect(message).not.toContain('short-admin-secret');
  });

  it('refuses a DATABASE_URL that is not postgres:// without printing it', () => {
    const message = problem({ DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('hunter2');
  });

  it('takes DATABASE_DIRECT_URL (unset by default) and refuses one that is not postgres:// without printing it', () => {
    expect(validateEnvironment({}).DATABASE_DIRECT_URL).toBeUndefined();
    const direct = 'postgres://u:p@db:5432/tenantry';
    expect(validateEnvironment({ DATABASE_DIRECT_URL: direct }).DATABASE_DIRECT_URL).toBe(direct);
    const message = problem({ DATABASE_DIRECT_URL: 'http://root:hunter2@db/x' });
    expect(message).toContain('DATABASE_DIRECT_URL');
    expect(message).not.toContain('hunter2');
  });

  it('names every bad variable at once', () => {
    const message = problem({ PORT: 'abc', TENANT_POOL_MAX: '0' });
    expect(message).toContain('PORT=');
    expect(message).toContain('TENANT_POOL_MAX=');
  });

  it('accepts API_KEY_PBKDF2_ITERATIONS of 100000 and more', () => {
    expect(validateEnvironment({ API_KEY_PBKDF2_ITERATIONS: '100000' }).API_KEY_PBKDF2_ITERATIONS).toBe(100_000);
    expect(validateEnvironment({ API_KEY_PBKDF2_ITERATIONS: '600000' }).API_KEY_PBKDF2_ITERATIONS).toBe(600_000);
  });
});
