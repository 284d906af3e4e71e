import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { DatabaseUnavailableError } from '../database/database.errors';
import { toErrorResponse } from './error-response';

function pgError(code: string, message: string): QueryFailedError {
  return new QueryFailedError('SELECT 1', [], Object.assign(new Error(message), { code }));
}

describe('toErrorResponse', () => {
  it.each<[string, unknown]>([
    ['a statement timeout (57014)', pgError('57014', 'canceling statement due to statement timeout')],
    ['a query runner released under the request', new QueryRunnerAlreadyReleasedError()],
    ["a transaction's runner released when its connection was lost", new QueryRunnerProviderAlreadyReleasedError()],
    ['a connection lost mid-query', new Error('Connection terminated unexpectedly')],
    ['a client whose connection failed', new Error('Client has encountered a connection error and is not queryable')],
    ['a pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['a reset socket', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['an administrator shutdown (57P01)', pgError('57P01', 'terminating connection due to administrator command')],
    ['the readiness probe failing', new DatabaseUnavailableError()],
  ])('answers %s with 503 and Retry-After', (_case, error) => {
    const { body, retryAfterSeconds } = toErrorResponse(error);
    expect(body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'Database unavailable' });
    expect(retryAfterSeconds).toBe(5);
  });

  it.each([
    ['42P01', 'relation "tenant_x.jobs" does not exist'],
    ['3F000', 'schema "tenant_x" does not exist'],
  ])('answers a missing relation (%s) once the tenant schema is gone with 503 and Retry-After, without naming it', (code, message) => {
    const { body, retryAfterSeconds } = toErrorResponse(pgError(code, message), { tenantSchemaGone: true });
    expect(body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'Tenant data is unavailable; retry shortly' });
    expect(retryAfterSeconds).toBe(1);
  });

  it('keeps a missing relation a 500 while the schema exists (a bug, not a deletion)', () => {
    const { body } = toErrorResponse(pgError('42P01', 'relation "shared.x" does not exist'));
    expect(body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' });
    expect(toErrorResponse(pgError('42P01', 'relation "tenant_x.jobs" does not exist'), { tenantSchemaGone: false }).body.statusCode).toBe(500);
  });
});
