import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { RequestState, requestStorage } from './request-context';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Opens the per-request async context (request id, later the tenant) and echoes `X-Request-Id`.
 * A client id is echoed only when it is short and plain, so it cannot inject into headers or logs.
 */
export function requestContextMiddleware(req: Request, res: Response, next: NextFunction): void {
  const sent = req.header('x-request-id');
  const requestId = sent && CLIENT_REQUEST_ID.test(sent) ? sent : randomUUID();
  res.setHeader('X-Request-Id', requestId);
  const state = new RequestState(requestId);
  res.once('close', () => state.end());
  requestStorage.run(state, next);
}
