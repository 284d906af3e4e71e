import { isUtf8 } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { BadRequestException, Logger, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger as PinoLogger } from 'pino';
import { ADMIN_KEY_HEADER } from './admin/admin-key.guard';
import { openRequestState, type RequestState, requestStorage } from './common/request-context';
import { sendError } from './http/api-exception.filter';
import { jsonBodyProblem } from './http/json-body-problem';
import { logRequest } from './ops/logging/request-log';
import { observeRequest } from './ops/metrics/http-metrics';
import type { InFlightRequests } from './ops/shutdown/in-flight-requests';
import { parseApiKey } from './tenancy/auth/api-key';
import { API_KEY_HEADER } from './tenancy/auth/api-key.guard';

const logger = new Logger('HTTP');

export interface RequestEdgeOptions {
  inFlight: InFlightRequests;
  /** The request line's logger (its level decides whether lines are written). */
  requestLog: PinoLogger;
  metrics: boolean;
  bodyLimit: string;
}

const NOT_UTF8 = 'entity.not.utf8';
const RAW_BODY = Symbol('rawBody');

type WithRawBody = { [RAW_BODY]?: Buffer };

/**
 * JSON is UTF-8 (RFC 8259): invalid bytes would otherwise be decoded as U+FFFD and stored as if sent, and body-parser
 * reads any `utf-` charset it knows (`utf-16le`, `utf-7`). It calls this with the raw (inflated) body and the charset
 * it will decode with: `utf-8` unless the request names another. The bytes are kept (a reference, no copy) for
 * `jsonBodyProblem` to read a number as written.
 */
function keepUtf8Body(req: object, _res: unknown, body: Buffer, encoding: string | null): void {
  if (encoding !== 'utf-8') throw Object.assign(new Error('Request body must be UTF-8'), { type: 'charset.unsupported' });
  if (!isUtf8(body)) throw Object.assign(new Error('Request body is not valid UTF-8'), { type: NOT_UTF8 });
  (req as WithRawBody)[RAW_BODY] = body;
}

/** The JSON text of the request's body (null if it has none). */
function bodyText(req: object): string | null {
  return (req as WithRawBody)[RAW_BODY]?.toString('utf8') ?? null;
}

/**
 * The query parser decodes percent-encoded bytes that are not UTF-8 (`%ED%A0%80`, `%FF`) to U+FFFD and keeps a
 * malformed escape (`100%`) as text, so a name or a filter would be stored or matched as something not sent.
 */
function isUtf8Query(url: string): boolean {
  const start = url.indexOf('?');
  if (start === -1 || !url.includes('%', start)) return true;
  try {
    decodeURIComponent(url.slice(start + 1));
    return true;
  } catch {
    return false;
  }
}

/** Whether the request carries a body (as body-parser decides it: a chunked one, or a non-zero Content-Length). */
function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

/**
 * Whether the request could be let in: it carries an admin key, or a tenant key of the right shape and checksum.
 * Every route that takes a body needs one of them, so the body of a request without either is left unread: no
 * client without a key makes the server parse (and scan) a megabyte of JSON to be told 401. Only what anybody can
 * see is looked at (the tenant key's checksum, whether an admin key is there at all): nothing here depends on a
 * secret, so how fast the 401 comes says nothing about one.
 */
function mayBeLetIn(req: Request): boolean {
  const admin = req.headers[ADMIN_KEY_HEADER];
  if (typeof admin === 'string' && admin.length > 0) return true;
  const tenant = req.headers[API_KEY_HEADER];
  return typeof tenant === 'string' && parseApiKey(tenant) !== null;
}

/** Body-parser failures (bad JSON, too large) get the same error body as everything else. */
function sendBodyError(error: { type?: string; status?: number }, res: Response, next: NextFunction): void {
  if (error?.type === 'entity.too.large') return sendError(res, new PayloadTooLargeException('Request body is too large'), logger);
  if (error?.type === NOT_UTF8) return sendError(res, new BadRequestException('Request body is not valid UTF-8'), logger);
  if (error?.type === 'entity.parse.failed') return sendError(res, new BadRequestException('Request body is not valid JSON'), logger);
  if (error?.type === 'charset.unsupported') return sendError(res, new UnsupportedMediaTypeException('Request body must be UTF-8 JSON (charset=utf-8)'), logger);
  if (error?.type === 'encoding.unsupported') {
    return sendError(res, new UnsupportedMediaTypeException('Request body has a Content-Encoding the server does not read (gzip, deflate or br)'), logger);
  }
  if (error?.status && error.status >= 400 && error.status < 500) {
    return sendError(res, new BadRequestException('Request body could not be read'), logger);
  }
  next(error);
}

/**
 * Everything a request meets before its route, as one Express middleware: its state (request id, later the tenant)
 * in the async context, the in-flight count of the graceful drain, the JSON body (parsed, then checked for depth and
 * prototype keys), and at the end one metric sample and one log line. One layer and two response listeners per
 * request, where separate middlewares (and pino-http's per-request child loggers) cost a router step and listeners each.
 */
export function requestEdge(options: RequestEdgeOptions): RequestHandler {
  const { inFlight, requestLog, metrics } = options;
  // Not strict: any JSON value is parsed, and jsonBodyProblem refuses a root that is not an object, in one place.
  const json = express.json({ limit: options.bodyLimit, strict: false, verify: keepUtf8Body });
  const afterBody = (req: Request, res: Response, next: NextFunction, state: RequestState) => (error?: unknown) => {
    if (error) return sendBodyError(error as { type?: string; status?: number }, res, next);
    // Left to the routes: one that takes a JSON body refuses it (ApiValidationPipe), an import reads it.
    if (req.body === undefined && hasBody(req)) state.unreadBodyType = req.headers['content-type'] ?? '';
    if (!isUtf8Query(req.url)) return sendError(res, new BadRequestException('Query string is not valid percent-encoded UTF-8'), logger);
    const problem = jsonBodyProblem(req.body, () => bodyText(req));
    // The bytes are not needed past this check; a route keeps its request (and so them) much longer.
    if ((req as WithRawBody)[RAW_BODY]) (req as WithRawBody)[RAW_BODY] = undefined;
    if (problem) return sendError(res, new BadRequestException(problem), logger);
    next();
  };
  return (req, res, next) => {
    const started = performance.now();
    const state = openRequestState(req, res);
    let logged = false;
    const log = () => {
      logged = true;
      logRequest(requestLog, req, res, Math.round(performance.now() - started));
    };
    res.once('finish', () => {
      if (metrics) observeRequest(req, res, (performance.now() - started) / 1000);
      log();
    });
    res.once('close', () => {
      if (!logged) log();
      state.end();
      inFlight.finished(res);
    });
    requestStorage.run(state, () => {
      if (!inFlight.admit(res)) return;
      if (mayBeLetIn(req) || !hasBody(req)) return json(req, res, afterBody(req, res, next, state));
      // The route's guard answers (401, or 404 for no route); the connection closes after it, the body unread.
      res.setHeader('Connection', 'close');
      afterBody(req, res, next, state)();
    });
  };
}
