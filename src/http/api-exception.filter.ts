import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus, Logger, NotFoundException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { requestStorage } from '../common/request-context';
import { DatabaseUnavailableError } from '../database/database.errors';
import { isMissingRelation } from '../database/postgres-errors';
import { TenantContext } from '../tenancy/auth/tenant-context';
import { ErrorContext, reasonPhrase, toErrorResponse } from './error-response';
import type { RouteMethods } from './route-methods';

export interface ApiExceptionFilterOptions {
  /** A 404 for a method its path lacks becomes a 405 with `Allow`. */
  routes?: RouteMethods;
  /** Asked when a tenant request hits a missing table or schema: was the tenant's schema dropped under it? */
  schemaExists?: (schemaName: string) => Promise<boolean>;
}

/** The one place where errors become HTTP responses (the API's error body, with the request id). */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly options: ApiExceptionFilterOptions = {}) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const { routes, schemaExists } = this.options;
    if (exception instanceof NotFoundException && routes) {
      const req = http.getRequest<Request>();
      const allowed = routes.allowedOtherwise(req);
      if (allowed) return sendMethodNotAllowed(res, req.method, allowed);
    }
    const tenant = tenants.current;
    if (tenant && schemaExists && isMissingRelation(exception)) {
      // Only on this error path: a schema that is gone means a deletion; a table gone from a live schema is a bug.
      void schemaExists(tenant.schemaName).then(
        (exists) => sendError(res, exception, this.logger, { tenantSchemaGone: !exists }),
        () => sendError(res, new DatabaseUnavailableError(), this.logger),
      );
      return;
    }
    sendError(res, exception, this.logger);
  }
}

const tenants = new TenantContext();

export function sendError(res: Response, exception: unknown, logger: Logger, context: ErrorContext = {}): void {
  const { body, retryAfterSeconds } = toErrorResponse(exception, context);
  const requestId = requestIdOf(res);
  if (body.statusCode === 500) {
    const detail = exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
    logger.error(`request ${requestId ?? '-'} failed: ${detail}`);
  } else if (body.statusCode === 503) {
    logger.warn(`request ${requestId ?? '-'}: ${exception instanceof Error ? exception.message : String(exception)}`);
  }
  if (res.headersSent) return;
  if (retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(retryAfterSeconds));
  res.status(body.statusCode).json({ ...body, requestId });
}

function sendMethodNotAllowed(res: Response, method: string, allowed: string[]): void {
  if (res.headersSent) return;
  const statusCode = HttpStatus.METHOD_NOT_ALLOWED;
  res.setHeader('Allow', allowed.join(', '));
  res.status(statusCode).json({
    statusCode,
    error: reasonPhrase(statusCode),
    message: `Method ${method} is not allowed here; allowed: ${allowed.join(', ')}`,
    requestId: requestIdOf(res),
  });
}

function requestIdOf(res: Response): string | undefined {
  return requestStorage.getStore()?.requestId ?? (res.getHeader('X-Request-Id') as string | undefined);
}
