import { DataSource } from 'typeorm';
import { toErrorResponse } from '../src/http/error-response';
import { COMMIT_UNCONFIRMED_MESSAGE, isCommitUnconfirmed } from '../src/database/postgres-errors';
import { buildApp, closeApp } from './utils/test-app';
import { createTestDatabase, type TestDatabase, withClient } from './utils/test-database';
import type { NestExpressApplication } from '@nestjs/platform-express';

/**
 * DB_STATEMENT_TIMEOUT_MS without a start-up parameter (which PgBouncer refuses): the caller gets an error,
 * the server cancels the statement, and the connection serves the next query. In the pgbouncer jest project
 * the cancel goes through PgBouncer.
 */
describe('DB_STATEMENT_TIMEOUT_MS', () => {
  let database: TestDatabase;
  let app: NestExpressApplication;

  beforeAll(async () => {
    database = await createTestDatabase();
    // One shared connection, so the query after the timeout has to run on the connection that timed out.
    ({ app } = await buildApp(database.url, { DB_STATEMENT_TIMEOUT_MS: '300', SHARED_POOL_MAX: '1' }));
  });
  afterAll(async () => {
    if (app) await closeApp(app);
    await database?.drop();
  });

  /** Statements of the database still running whose text is like `pattern`: a cancel is asynchronous. */
  const running = (pattern: string) =>
    withClient(database.url, async (client) => {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE "datname" = current_database() AND "query" LIKE $1 AND "state" = 'active'`,
        [pattern],
      );
      return rows[0].n;
    });
  const sleeping = () => running('SELECT pg_sleep(60)%');

  it('fails a statement that runs too long, has the server cancel it, and the connection serves the next one', async () => {
    const dataSource = app.get(DataSource);
    await expect(dataSource.query('SELECT pg_sleep(60)')).rejects.toThrow('Query read timeout');
    // The cancel is asynchronous: wait for the server to report it done (the test timeout bounds the wait).
    while ((await sleeping()) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(dataSource.query('SELECT 1 AS "one"')).resolves.toEqual([{ one: 1 }]);
  });

  it('is reported as the database being unavailable (503), not as a bug', async () => {
    const failure = await app.get(DataSource).query('SELECT pg_sleep(60)').catch((error: unknown) => error);
    expect(toErrorResponse(failure).body).toMatchObject({ statusCode: 503, message: 'Database unavailable' });
    expect(isCommitUnconfirmed(failure)).toBe(false);
    while ((await sleeping()) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
  });

  it('tells a COMMIT that timed out apart: the change may have been saved, so it is not reported as plain unavailability', async () => {
    // A deferred constraint trigger runs at COMMIT: the commit outlasts the timeout (and is cancelled there).
    await withClient(database.url, (client) =>
      client.query(`
        CREATE TABLE "public"."commit_probe" ("id" int);
        CREATE FUNCTION "public"."commit_probe_slow"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(60); RETURN NULL; END $$;
        CREATE CONSTRAINT TRIGGER "commit_probe_slow" AFTER INSERT ON "public"."commit_probe" DEFERRABLE INITIALLY DEFERRED
          FOR EACH ROW EXECUTE FUNCTION "public"."commit_probe_slow"();`),
    );
    const dataSource = app.get(DataSource);
    const failure = await dataSource
      .transaction((manager) => manager.query(`INSERT INTO "public"."commit_probe" ("id") VALUES (1)`))
      .catch((error: unknown) => error);
    expect(isCommitUnconfirmed(failure)).toBe(true);
    expect(toErrorResponse(failure).body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: COMMIT_UNCONFIRMED_MESSAGE });
    // The cancel reached the trigger, before the commit record: this one was rolled back, and the connection serves on.
    while ((await running('COMMIT')) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(dataSource.query(`SELECT count(*)::int AS "n" FROM "public"."commit_probe"`)).resolves.toEqual([{ n: 0 }]);
  });
});
