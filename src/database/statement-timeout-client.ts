import { Client, Connection } from 'pg';
import { isDatabaseUnavailable, markCommitUnconfirmed } from './postgres-errors';

const TIMEOUT_MESSAGE = 'Query read timeout';
/** The severities of a server error after which the server closes the connection. */
const CONNECTION_ENDING = new Set(['FATAL', 'PANIC']);

interface ClientInternals {
  host: string;
  port: number;
  processID: number | null;
  secretKey: number | null;
}

/**
 * pg's `query_timeout` (DB_STATEMENT_TIMEOUT_MS) makes the caller give up on a statement, but leaves the
 * statement running and its connection busy, and the pool would hand that connection out next. On a timeout
 * this client also asks the server to cancel the statement: a CancelRequest on a connection of its own, which
 * PgBouncer relays to the backend serving this client. The connection is then free again.
 *
 * This replaces the `statement_timeout` start-up parameter, which PgBouncer refuses (docs/scaling.md).
 *
 * A statement that fails with a FATAL error (its backend terminated, the server shutting down, a session
 * timeout) ends its connection too: the server closes it next, but pg-pool, which takes back a connection whose
 * socket it has not yet seen close, would hand it to the next caller (often a request already waiting for a
 * connection), whose statement would then fail on a dead socket. Ended here, before the caller releases it, the
 * pool discards it and opens a new one.
 *
 * A `COMMIT` that fails without an answer from the server (this timeout, the connection lost) may have committed
 * all the same: the server does not stop a commit it has begun writing. Its error is marked
 * (`isCommitUnconfirmed`), so the request is not told to simply retry a change that may have been saved.
 */
export class StatementTimeoutClient extends Client {
  override query(...args: unknown[]): never {
    const result = (Client.prototype.query as (...a: unknown[]) => unknown).apply(this, args);
    if (result instanceof Promise) {
      result.catch((error: unknown) => {
        if (isCommit(args[0]) && isUnanswered(error)) markCommitUnconfirmed(error as object);
        if ((error as Error | undefined)?.message === TIMEOUT_MESSAGE) this.cancelRunningStatement();
        else if (CONNECTION_ENDING.has((error as { severity?: string } | undefined)?.severity ?? '')) this.end().catch(() => undefined);
      });
    }
    return result as never;
  }

  private cancelRunningStatement(): void {
    const { host, port, processID, secretKey } = this as unknown as ClientInternals;
    if (processID === null || secretKey === null) return;
    const connection = new Connection() as Connection & { connect(port: number | string, host?: string): void; cancel(pid: number, key: number): void };
    connection.on('error', () => undefined); // best effort: the caller already has its error
    connection.on('connect', () => connection.cancel(processID, secretKey));
    if (host?.startsWith('/')) connection.connect(`${host}/.s.PGSQL.${port}`);
    else connection.connect(port, host);
  }
}

function isCommit(query: unknown): boolean {
  const text = typeof query === 'string' ? query : (query as { text?: unknown } | null | undefined)?.text;
  return typeof text === 'string' && /^\s*(COMMIT|END)\s*;?\s*$/i.test(text);
}

/** Unavailable with no error of the server's (which carries a severity): the client never heard how the statement ended. */
function isUnanswered(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { severity?: unknown }).severity === undefined && isDatabaseUnavailable(error);
}
