import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { requestStorage } from '../common/request-context';
import { toErrorResponse } from './error-response';

/** The one place where errors become HTTP responses (the API's error body, with the request id). */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    sendError(res, exception, this.logger);
  }
}

export function sendError(res: Response, exception: unknown, logger: Logger): void {
  const { body, retryAfterSeconds } = toErrorResponse(exception);
  const requestId = requestStorage.getStore()?.requestId ?? (res.getHeader('X-Request-Id') as string | undefined);
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
