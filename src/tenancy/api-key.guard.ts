import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { InvalidApiKeyError } from '../common/domain-errors';
import { requestStorage } from '../common/request-context';
import { ApiKeyVerifierService } from './api-key-verifier.service';

export const API_KEY_HEADER = 'x-api-key';

/** Authenticates a tenant by `X-API-Key` (headers only, never the query string) and fills the TenantContext. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly verifier: ApiKeyVerifierService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const presented = request.headers[API_KEY_HEADER];
    if (typeof presented !== 'string' || presented.length === 0) throw new InvalidApiKeyError('Missing API key');
    const tenant = await this.verifier.verify(presented, request.ip ?? request.socket.remoteAddress ?? 'unknown');
    requestStorage.getStore()!.tenant = tenant;
    return true;
  }
}
