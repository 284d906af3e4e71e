import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { buildOpenApiDocument } from './app.openapi';
import { requestEdge } from './app.request-edge';
import { ApiExceptionFilter } from './http/api-exception.filter';
import { API_VALIDATION_OPTIONS, ApiValidationPipe } from './http/api-validation.pipe';
import { RouteMethods } from './http/route-methods';
import { schemaExists } from './database/schema-name';
import type { EnvironmentVariables } from './config/environment-variables';
import { parseTrustProxy } from './config/trust-proxy';
import { NestPinoLogger } from './ops/logging/nest-pino-logger';
import { ROOT_LOGGER } from './ops/logging/root-logger';
import { InFlightRequests } from './ops/shutdown/in-flight-requests';

/** Everything the HTTP app needs besides its modules; shared by main.ts, the tests and the benchmark. */
export function configureApp(app: NestExpressApplication, config: EnvironmentVariables): void {
  app.useLogger(app.get(NestPinoLogger));
  app.disable('x-powered-by');
  // No ETag: Express would hash every response body for it, and no client of a JSON API with cursors revalidates.
  app.set('etag', false);
  // Decides req.ip, which keys the authentication throttle: the socket address unless proxies are configured.
  app.set('trust proxy', parseTrustProxy(config.TRUST_PROXY) ?? false);
  app.use(requestEdge({ inFlight: app.get(InFlightRequests), requestLog: app.get(ROOT_LOGGER), metrics: config.METRICS_ENABLED, bodyLimit: config.BODY_LIMIT }));
  app.useGlobalPipes(new ApiValidationPipe(API_VALIDATION_OPTIONS));
  app.useGlobalFilters(
    new ApiExceptionFilter({
      routes: new RouteMethods(() => app.getHttpAdapter().getInstance().router),
      schemaExists: (schema) => schemaExists(app.get(DataSource), schema),
    }),
  );
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}
