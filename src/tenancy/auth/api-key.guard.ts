import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ApiKeyVerifierService } from './api-key-verifier.service';
import { authMetrics } from './auth-metrics';
import { InvalidApiKeyError, TooManyAttemptsError } from './auth.errors';
import { TenantContext } from './tenant-context';

export const API_KEY_HEADER = 'x-api-key';

/** Authenticates a tenant by `X-API-Key` (headers only, never the query string) and fills the TenantContext. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly verifier: ApiKeyVerifierService,
    private readonly context: TenantContext,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const presented = request.headers[API_KEY_HEADER];
    try {
      if (typeof presented !== 'string' || presented.length === 0) throw new InvalidApiKeyError('Missing API key');
      this.context.enter(await this.verifier.verify(presented, request.ip ?? request.socket.remoteAddress ?? 'unknown'));
    } catch (error) {
      if (error instanceof InvalidApiKeyError) authMetrics.verifications.inc({ outcome: 'invalid' });
      else if (error instanceof TooManyAttemptsError) authMetrics.verifications.inc({ outcome: 'throttled' });
      throw error;
    }
    return true;
  }
}
