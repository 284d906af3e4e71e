import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DrainSignal } from '../../common/drain-signal';
import { sendError } from '../../http/api-exception.filter';
import { ShuttingDownError } from './shutdown.errors';

const logger = new Logger('Shutdown');

/**
 * The requests being served, for the graceful drain. Once the DrainSignal is set, new requests are refused with
 * 503 (`Retry-After`) and every response, the in-flight ones included, carries `Connection: close`, so
 * keep-alive connections end after their current response; `idle()` tells when the last one has finished.
 */
@Injectable()
export class InFlightRequests implements BeforeApplicationShutdown {
  private readonly responses = new Set<Response>();
  private onIdle?: () => void;

  constructor(private readonly drain: DrainSignal) {
    drain.signal.addEventListener('abort', () => this.closeKeepAlive(), { once: true });
  }

  get count(): number {
    return this.responses.size;
  }

  /**
   * Counts the response in (the request edge calls `finished` when it closes), or, while draining, refuses the
   * request with 503 and returns false.
   */
  admit(res: Response): boolean {
    if (this.drain.draining) {
      res.setHeader('Connection', 'close');
      sendError(res, new ShuttingDownError(), logger);
      return false;
    }
    this.responses.add(res);
    return true;
  }

  /** Resolves true once no request is in flight, false if some still are after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.responses.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.onIdle = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }

  /** Closing the app (a test, or main.ts after the drain) is a drain too: long waits answer at once. */
  beforeApplicationShutdown(): void {
    this.drain.begin();
  }

  private closeKeepAlive(): void {
    for (const res of this.responses) if (!res.headersSent) res.setHeader('Connection', 'close');
  }

  finished(res: Response): void {
    this.responses.delete(res);
    if (this.responses.size === 0) this.onIdle?.();
  }
}
