import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What one HTTP request carries through its async call chain: its id, and cleanups to run when the response
 * ends. Higher layers attach their own per-request state to it (keyed by this object, e.g. in a WeakMap).
 */
export class RequestState {
  private readonly cleanups: Array<() => void> = [];
  private ended = false;
  constructor(readonly requestId: string) {}

  /** Runs `cleanup` when the response has ended (at once if it already has). */
  onEnd(cleanup: () => void): void {
    if (this.ended) cleanup();
    else this.cleanups.push(cleanup);
  }

  end(): void {
    this.ended = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }
}

export const requestStorage = new AsyncLocalStorage<RequestState>();
