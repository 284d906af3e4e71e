import { validateEnvironment } from '../config/environment-variables';
import { poolConfig } from './data-source-options';

// What pg sends in the start-up packet besides user/database, from a pool's options. PgBouncer's stock
// settings accept application_name (and client_encoding) and refuse the rest as "unsupported startup parameter".
const STARTUP_PARAMETERS = ['statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout', 'options', 'replication'];

describe('poolConfig', () => {
  const url = 'postgres://u:p@pgbouncer:6432/tenantry';

  it('sends no start-up parameter PgBouncer refuses, with or without a statement timeout', () => {
    for (const DB_STATEMENT_TIMEOUT_MS of ['0', '30000']) {
      const config = poolConfig(validateEnvironment({ DB_STATEMENT_TIMEOUT_MS }), url, 10, 'tenantry:shared');
      for (const parameter of STARTUP_PARAMETERS) expect(config).not.toHaveProperty(parameter);
      expect(config.application_name).toBe('tenantry:shared');
    }
  });

  it('bounds every statement on the client side (query_timeout), off when DB_STATEMENT_TIMEOUT_MS is 0', () => {
    expect(poolConfig(validateEnvironment({ DB_STATEMENT_TIMEOUT_MS: '1500' }), url, 10, 'x').query_timeout).toBe(1500);
    expect(poolConfig(validateEnvironment({ DB_STATEMENT_TIMEOUT_MS: '0' }), url, 10, 'x').query_timeout).toBeUndefined();
  });
});
