import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { type NestApplicationOptions, StreamableFile } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express, Response } from 'express';

/**
 * Nest's Express adapter, with a shorter road for the common answer: a handler's object or array, status
 * not 204/304, on a response whose handler set no Content-Type, ETag or Last-Modified, to a request that is not
 * HEAD. Express's `res.json` then `res.send` would re-read the settings, parse and re-format the Content-Type,
 * check freshness (never fresh without an ETag or Last-Modified: the app sends neither) and, for a body over
 * 1,000 bytes, copy the JSON text into a Buffer, which goes out as a second chunk after the headers. Here the
 * same headers and bytes (`JSON.stringify`, as Express does without `json replacer`/`json spaces`, which the app
 * never sets) go out as one string, headers and body in one chunk. Everything else takes Nest's own `reply`.
 *
 * Its HTTP server also builds each request and response on Express's own prototypes (`app.request`,
 * `app.response`), which Express would otherwise swap in per request with `Object.setPrototypeOf`: every
 * request and response then keeps one shape from birth, and Node's HTTP code that reads and writes them stays
 * on its fast paths. Express's swap finds the prototype already set and changes nothing.
 */
export class ApiExpressAdapter extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    super.initHttpServer(options);
    // Nest's own server is kept where it is more than a plain HTTP server (TLS, tracked connections).
    if (options?.httpsOptions || options?.forceCloseConnections) return;
    const app = this.getInstance<Express>();
    this.httpServer = createServer({ IncomingMessage: requestClassOf(app), ServerResponse: responseClassOf(app) }, app);
  }

  override reply(response: Response, body: unknown, statusCode?: number): unknown {
    if (!fastJsonAnswer(response, body, statusCode)) return super.reply(response, body, statusCode);
    if (statusCode !== undefined && statusCode !== null) response.statusCode = statusCode;
    const text = JSON.stringify(body);
    response.setHeader('Content-Type', JSON_CONTENT_TYPE);
    response.setHeader('Content-Length', Buffer.byteLength(text));
    return response.end(text);
  }
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

function fastJsonAnswer(response: Response, body: unknown, statusCode: number | undefined): boolean {
  if (body === null || typeof body !== 'object' || body instanceof StreamableFile || body instanceof Error || ArrayBuffer.isView(body)) return false;
  const status = statusCode ?? response.statusCode;
  if (status === 204 || status === 304 || status < 200) return false;
  if (response.req?.method === 'HEAD') return false;
  return !response.hasHeader('Content-Type') && !response.hasHeader('ETag') && !response.hasHeader('Last-Modified') && !response.hasHeader('Transfer-Encoding');
}

/** A request class whose instances are born with the app's request prototype (Node calls it with `new`). */
function requestClassOf(app: Express): typeof IncomingMessage {
  function ApiRequest(this: IncomingMessage, socket: Socket) {
    Reflect.apply(IncomingMessage, this, [socket]);
  }
  ApiRequest.prototype = app.request;
  return ApiRequest as unknown as typeof IncomingMessage;
}

/** A response class whose instances are born with the app's response prototype. */
function responseClassOf(app: Express): typeof ServerResponse {
  function ApiResponse(this: ServerResponse, request: IncomingMessage, options?: object) {
    Reflect.apply(ServerResponse, this, [request, options]);
  }
  ApiResponse.prototype = app.response;
  return ApiResponse as unknown as typeof ServerResponse;
}
