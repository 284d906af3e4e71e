import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus, Logger, NotFoundException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { requestStorage } from '../common/request-context';
import { TenantContext } from '../tenancy/auth/tenant-context';
import { reasonPhrase, toErrorResponse } from './error-response';
import type { RouteMethods } from './route-methods';

/** The one place where errors become HTTP responses (the API's error body, with the request id). */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  /** @param routes when given, a 404 for a method its path lacks becomes a 405 with `Allow` */
  constructor(private readonly routes?: RouteMethods) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    if (exception instanceof NotFoundException && this.routes) {
      const req = http.getRequest<Request>();
      const allowed = this.routes.allowedOtherwise(req);
      if (allowed) return sendMethodNotAllowed(res, req.method, allowed);
    }
    sendError(res, exception, this.logger);
  }
}

const tenants = new TenantContext();

export function sendError(res: Response, exception: unknown, logger: Logger): void {
  const { body, retryAfterSeconds } = toErrorResponse(exception, { tenantRequest: tenants.current !== undefined });
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
