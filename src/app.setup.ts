import { BadRequestException, Logger, PayloadTooLargeException } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import express, { NextFunction, Request, Response } from 'express';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { buildOpenApiDocument } from './app.openapi';
import { ApiExceptionFilter, sendError } from './http/api-exception.filter';
import { ApiValidationPipe } from './http/api-validation.pipe';
import { RouteMethods } from './http/route-methods';
import { jsonBodyProblem } from './http/json-body-problem';
import { requestContextMiddleware } from './common/request-context.middleware';
import { schemaExists } from './database/schema-name';
import type { EnvironmentVariables } from './config/environment-variables';
import { parseTrustProxy } from './config/trust-proxy';
import { httpMetricsMiddleware } from './ops/metrics/http-metrics';
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
  if (config.METRICS_ENABLED) app.use(httpMetricsMiddleware);
  app.use(express.json({ limit: config.BODY_LIMIT }));
  app.use(bodyErrorHandler);
  app.use(jsonBodyGuard);
  app.useGlobalPipes(
    new ApiValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      validationError: { target: false, value: false },
    }),
  );
  app.useGlobalFilters(
    new ApiExceptionFilter({
      routes: new RouteMethods(() => app.getHttpAdapter().getInstance().router),
      schemaExists: (schema) => schemaExists(app.get(DataSource), schema),
    }),
  );
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}
