import { BadRequestException, Logger, PayloadTooLargeException, ValidationPipe } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import express, { NextFunction, Request, Response } from 'express';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { buildOpenApiDocument } from './app.openapi';
import { ApiExceptionFilter, sendError } from './http/api-exception.filter';
import { requestContextMiddleware } from './common/request-context.middleware';
import type { EnvironmentVariables } from './config/environment-variables';
import { parseTrustProxy } from './config/trust-proxy';
import { InFlightRequests } from './ops/shutdown/in-flight-requests';

const logger = new Logger('HTTP');

/** Body-parser failures (bad JSON, too large) get the same error body as everything else. */
function bodyErrorHandler(error: { type?: string; status?: number }, _req: Request, res: Response, next: NextFunction): void {
  if (error?.type === 'entity.too.large') return sendError(res, new PayloadTooLargeException('Request body is too large'), logger);
  if (error?.type === 'entity.parse.failed') return sendError(res, new BadRequestException('Request body is not valid JSON'), logger);
  if (error?.status && error.status >= 400 && error.status < 500) {
    return sendError(res, new BadRequestException('Request body could not be read'), logger);
  }
  next(error);
}

const MAX_JSON_DEPTH = 64;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * What no payload needs and the validation layer does not catch: nesting deeper than 64 levels (recursive
 * validation would overflow the stack) and prototype keys (class-transformer skips them, so they would pass).
 */
export function jsonBodyProblem(value: unknown, limit = MAX_JSON_DEPTH): string | null {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return `Request body is nested deeper than ${limit} levels`;
    for (const key of Object.keys(node)) {
      if (FORBIDDEN_KEYS.has(key)) return `property ${key} should not exist`;
      stack.push([(node as Record<string, unknown>)[key], depth + 1]);
    }
  }
  return null;
}

function jsonBodyGuard(req: Request, res: Response, next: NextFunction): void {
  const problem = jsonBodyProblem(req.body);
  if (problem) return sendError(res, new BadRequestException(problem), logger);
  next();
}

/** Everything the HTTP app needs besides its modules; shared by main.ts, the tests and the benchmark. */
export function configureApp(app: NestExpressApplication, config: EnvironmentVariables): void {
  app.useLogger(app.get(PinoNestLogger));
  app.disable('x-powered-by');
  // No ETag: Express would hash every response body for it, and no client of a JSON API with cursors revalidates.
  app.set('etag', false);
  // Decides req.ip, which keys the authentication throttle: the socket address unless proxies are configured.
  app.set('trust proxy', parseTrustProxy(config.TRUST_PROXY) ?? false);
  app.use(requestContextMiddleware);
  app.use(app.get(InFlightRequests).middleware);
  app.use(express.json({ limit: config.BODY_LIMIT }));
  app.use(bodyErrorHandler);
  app.use(jsonBodyGuard);
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      validationError: { target: false, value: false },
    }),
  );
  app.useGlobalFilters(new ApiExceptionFilter());
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}
