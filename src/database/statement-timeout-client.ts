import { Client, Connection } from 'pg';

const TIMEOUT_MESSAGE = 'Query read timeout';

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
 */
export class StatementTimeoutClient extends Client {
  override query(...args: unknown[]): never {
    const result = (Client.prototype.query as (...a: unknown[]) => unknown).apply(this, args);
    if (result instanceof Promise) {
      result.catch((error: unknown) => {
        if ((error as Error | undefined)?.message === TIMEOUT_MESSAGE) this.cancelRunningStatement();
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
