import { isDatabaseUnavailable, postgresError } from './postgres-errors';

describe('postgresError', () => {
  it('reads code and constraint from a driver error, whether TypeORM wrapped it or not', () => {
    const driverError = { code: '23505', constraint: 'targets_name_key', message: 'duplicate key value violates unique constraint "targets_name_key"' };
    expect(postgresError(driverError)).toMatchObject({ code: '23505', constraint: 'targets_name_key' });
    expect(postgresError({ message: driverError.message, driverError })).toMatchObject({ code: '23505', constraint: 'targets_name_key' });
  });

  it('reads the constraint from the message when a Citus worker relayed the error without the field', () => {
    const relayed = { code: '23505', message: 'duplicate key value violates unique constraint "targets_name_key_102017"' };
    expect(postgresError(relayed)).toMatchObject({ code: '23505', constraint: 'targets_name_key' });
    const fk = { code: '23503', message: 'insert or update on table "sessions_102019" violates foreign key constraint "sessions_target_id_fkey_102019"' };
    expect(postgresError({ message: fk.message, driverError: fk }).constraint).toBe('sessions_target_id_fkey');
  });

  it('strips the shard suffix from a constraint field too, and keeps names PostgreSQL numbered itself', () => {
    expect(postgresError({ code: '23505', constraint: 'jobs_idempotency_key_key_102040' }).constraint).toBe('jobs_idempotency_key_key');
    expect(postgresError({ code: '23505', constraint: 'targets_name_key1' }).constraint).toBe('targets_name_key1');
  });

  it('has no constraint for errors that name none', () => {
    expect(postgresError({ code: '23502', message: 'null value in column "name" of relation "targets" violates not-null' }).constraint).toBeUndefined();
    expect(postgresError(undefined)).toEqual({ code: undefined, constraint: undefined, message: undefined });
  });
});

describe('isDatabaseUnavailable', () => {
  it('counts a statement the client stopped waiting for as unavailable', () => {
    expect(isDatabaseUnavailable(new Error('Query read timeout'))).toBe(true);
    expect(isDatabaseUnavailable({ code: '23505', message: 'duplicate key' })).toBe(false);
  });
});
