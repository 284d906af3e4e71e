import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';
import type { Logger } from 'pino';
import type { Options } from 'pino-http';
import { requestStorage } from '../../common/request-context';

/**
 * The matched route pattern (`/targets/:id`), so lines group by route; the raw path only when no controller route
 * matched (then req.route is the logging middleware's own wildcard, or unset).
 */
export function routeOf(req: Request): string | null {
  const pattern: unknown = req.route?.path;
  return typeof pattern === 'string' && !pattern.includes('*') ? req.baseUrl + pattern : null;
}

function routeFields(req: Request): { route: string } | { route: null; path: string } {
  const route = routeOf(req);
  return route === null ? { route, path: req.path } : { route };
}

function requestLine(req: IncomingMessage, res: ServerResponse, durationMs: number): object {
  const request = req as Request;
  return { requestId: request.id, method: request.method, ...routeFields(request), status: res.statusCode, durationMs };
}

/**
 * pino-http as one line per request: method, route pattern, status, duration and the request id (the tenant
 * comes from the logger's mixin). Requests and responses are never serialized, so no header (X-API-Key,
 * X-Admin-Key, Authorization) and no body reaches the log; the child loggers pino-http makes carry nothing.
 */
export function requestLogOptions(logger: Logger): Options {
  return {
    logger,
    genReqId: requestIdOf,
    quietResLogger: true,
    wrapSerializers: false,
    serializers: { req: () => undefined, res: () => undefined },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessObject: (req, res, { responseTime }) => requestLine(req, res, responseTime as number),
    customErrorObject: (req, res, _error, { responseTime }) => requestLine(req, res, responseTime as number),
    customSuccessMessage: (req, res) => (req.readableAborted || !res.writableEnded ? 'request aborted' : 'request completed'),
    customErrorMessage: () => 'request failed',
  };
}

/** The id requestContextMiddleware chose (it runs first); a fresh one if the context is somehow missing. */
function requestIdOf(): string {
  return requestStorage.getStore()?.requestId ?? randomUUID();
}
