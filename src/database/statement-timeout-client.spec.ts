import { Client } from 'pg';
import { isCommitUnconfirmed } from './postgres-errors';
import { StatementTimeoutClient } from './statement-timeout-client';

describe('StatementTimeoutClient: a COMMIT without an answer', () => {
  let query: jest.SpyInstance;
  afterEach(() => query.mockRestore());

  /** The error the caller gets for `sql` when pg's own query rejects with `error`. */
  const failureOf = async (sql: unknown, error: Error) => {
    query = jest.spyOn(Client.prototype, 'query').mockReturnValue(Promise.reject(error) as never);
    return (new StatementTimeoutClient().query(sql as string) as Promise<unknown>).catch((caught: unknown) => caught);
  };
  const timeout = () => new Error('Query read timeout');
  const reset = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

  it.each([
    ['a timed-out COMMIT', 'COMMIT', timeout],
    ['a COMMIT whose connection was lost', 'COMMIT', () => new Error('Connection terminated unexpectedly')],
    ['a COMMIT whose connection was reset, sent as a query object', { text: 'commit;' }, reset],
  ])('marks %s as unconfirmed', async (_name, sql, error) => {
    expect(isCommitUnconfirmed(await failureOf(sql, error()))).toBe(true);
  });

  it.each([
    ['another statement that timed out', 'SELECT 1', timeout],
    ['a savepoint release whose connection was reset', 'RELEASE SAVEPOINT typeorm_1', reset],
    // The server answered: its error says the commit failed (a deferred constraint, a statement_timeout), so nothing was saved.
    ['a COMMIT the server refused', 'COMMIT', () => Object.assign(new Error('violates foreign key constraint'), { code: '23503', severity: 'ERROR' })],
    ['a COMMIT the server cancelled', 'COMMIT', () => Object.assign(new Error('canceling statement'), { code: '57014', severity: 'ERROR' })],
  ])('leaves %s unmarked', async (_name, sql, error) => {
    expect(isCommitUnconfirmed(await failureOf(sql, error()))).toBe(false);
  });
});
