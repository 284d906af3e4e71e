import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Writes into a `COPY … FROM STDIN` stream with back-pressure. pg-copy-streams reports a refused row by an
 * `error` event (not by destroying the stream), so the first error is kept and thrown by the next call.
 */
export class CopySink {
  private failure?: Error;
  private readonly failed: Promise<never>;

  constructor(private readonly copy: Writable) {
    this.failed = new Promise<never>((_, reject) =>
      copy.on('error', (error: Error) => {
        this.failure ??= error;
        reject(error);
      }),
    );
    this.failed.catch(() => undefined);
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.copy.write(chunk)) await Promise.race([once(this.copy, 'drain'), this.failed]);
  }

  /** Resolves once PostgreSQL has taken every row (the connection is then free for the next statement). */
  async end(): Promise<void> {
    if (this.failure) throw this.failure;
    const finished = once(this.copy, 'finish');
    this.copy.end();
    await Promise.race([finished, this.failed]);
  }

  /** Abandons the COPY (a CopyFail to PostgreSQL) and waits until the connection can take a ROLLBACK. */
  async abort(reason: Error): Promise<void> {
    if (this.failure || this.copy.writableFinished || this.copy.destroyed) return;
    const closed = once(this.copy, 'close').catch(() => undefined);
    this.copy.destroy(reason);
    await closed;
  }
}
