import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';
import type { Logger } from 'pino';
import { requestStorage } from '../../common/request-context';

/**
 * The matched route pattern (`/targets/:id`), so lines group by route; null when no controller route matched
 * (then req.route is unset, or a middleware's own wildcard).
 */
export function routeOf(req: Request): string | null {
  const pattern: unknown = req.route?.path;
  return typeof pattern === 'string' && !pattern.includes('*') ? req.baseUrl + pattern : null;
}

/**
 * One line per request, written when the response has finished (or the connection closed first): method, route
 * pattern (the raw path when no route matched), status, duration and the request id; the tenant comes from the
 * logger's mixin. `request failed` (level error) for a 5xx, `request aborted` when the response did not finish.
 * Requests and responses are never serialized, so no header (X-API-Key, X-Admin-Key, Authorization) and no body
 * reaches the log.
 */
export function logRequest(logger: Logger, req: IncomingMessage, res: ServerResponse, durationMs: number): void {
  const failed = res.statusCode >= 500;
  const level = failed ? 'error' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const request = req as Request;
  const route = routeOf(request);
  const line = {
    requestId: requestStorage.getStore()?.requestId,
    method: request.method,
    ...(route === null ? { route, path: request.path } : { route }),
    status: res.statusCode,
    durationMs,
  };
  const message = failed ? 'request failed' : req.readableAborted || !res.writableEnded ? 'request aborted' : 'request completed';
  logger[level](line, message);
}
