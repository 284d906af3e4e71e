import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What one HTTP request carries through its async call chain: its id, and cleanups to run when the response
 * ends. Higher layers attach their own per-request state to it (keyed by this object, e.g. in a WeakMap).
 */
export class RequestState {
  private readonly cleanups: Array<() => void> = [];
  private ended = false;
  /** The Content-Type (`''` when none was sent) of a body the JSON parser left unread: not JSON. */
  unreadBodyType: string | null = null;
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

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The per-request state (request id, later the tenant) the request edge runs the request in, and the echoed
 * `X-Request-Id`. A client id is echoed only when it is short and plain, so it cannot inject into headers or logs.
 * The caller ends the state when the response closes.
 */
export function openRequestState(req: IncomingMessage, res: ServerResponse): RequestState {
  const sent = req.headers['x-request-id'];
  const requestId = typeof sent === 'string' && CLIENT_REQUEST_ID.test(sent) ? sent : randomUUID();
  res.setHeader('X-Request-Id', requestId);
  return new RequestState(requestId);
}
