import { BadRequestException, Logger, PayloadTooLargeException, ValidationPipe } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { NextFunction, Request, Response } from 'express';
import { ADMIN_KEY_SCHEME } from './admin/tenants-admin.controller';
import { ApiExceptionFilter, sendError } from './common/api-exception.filter';
import { requestContextMiddleware } from './common/request-context.middleware';
import type { EnvironmentVariables } from './config/environment-variables';
import { TENANT_KEY_SCHEME } from './tenancy/tenant-route.decorator';

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

/** Deeper than any real payload; refusing it early keeps recursive validation from overflowing the stack. */
export function jsonDepthExceeds(value: unknown, limit = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

function jsonDepthGuard(req: Request, res: Response, next: NextFunction): void {
  if (jsonDepthExceeds(req.body)) {
    return sendError(res, new BadRequestException(`Request body is nested deeper than ${MAX_JSON_DEPTH} levels`), logger);
  }
  next();
}

export function buildOpenApiDocument(app: NestExpressApplication) {
  const config = new DocumentBuilder()
    .setTitle('Tenantry API')
    .setDescription(
      'Schema-per-tenant backend. Tenant routes take `X-API-Key`; operator routes (`/tenants`) take `X-Admin-Key`. ' +
        'Errors have the shape `{ statusCode, error, message, requestId }`.',
    )
    .setVersion('1.0')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'Tenant API key (tnt_…)' }, TENANT_KEY_SCHEME)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Admin-Key', description: 'Operator key (ADMIN_API_KEY)' }, ADMIN_KEY_SCHEME)
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Everything the HTTP app needs besides its modules; shared by main.ts, the tests and the benchmark. */
export function configureApp(app: NestExpressApplication, config: EnvironmentVariables): void {
  app.disable('x-powered-by');
  app.use(requestContextMiddleware);
  app.use(express.json({ limit: config.BODY_LIMIT }));
  app.use(bodyErrorHandler);
  app.use(jsonDepthGuard);
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
