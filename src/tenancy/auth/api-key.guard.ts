import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ApiKeyVerifierService } from './api-key-verifier.service';
import type { ApiKeyScope } from './api-key-scopes';
import { authMetrics } from './auth-metrics';
import { InvalidApiKeyError, MissingScopeError, TooManyAttemptsError } from './auth.errors';
import { REQUIRED_SCOPES } from './require-scope.decorator';
import { TenantRateLimitedError } from '../rate-limit/rate-limit.errors';
import { TenantRateLimiter } from '../rate-limit/tenant-rate-limiter';
import type { RateLimitSetting } from '../rate-limit/rate-limit-rules';
import { TenantContext } from './tenant-context';
import type { TenantIdentity } from './tenant-identity';

export const API_KEY_HEADER = 'x-api-key';

export const RATE_LIMIT_POLICY_HEADER = 'RateLimit-Policy';
export const RATE_LIMIT_HEADER = 'RateLimit';

/**
 * Authenticates a tenant by `X-API-Key` (headers only, never the query string), takes the request from the
 * tenant's rate limit (429 over it; the RateLimit headers on every answer from here on, errors included),
 * checks that the key holds one of the route's scopes (`@RequireScope`) and fills the TenantContext.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  /** Per handler, read once: the hot path does a WeakMap lookup, not a metadata walk. */
  private readonly scopesOf = new WeakMap<Function, readonly ApiKeyScope[]>();

  constructor(
    private readonly verifier: ApiKeyVerifierService,
    private readonly context: TenantContext,
    private readonly reflector: Reflector,
    private readonly rateLimiter: TenantRateLimiter,
  ) {}

  /** Synchronous for a cached key of a tenant without a rate limit (nearly every request): no promise to settle. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const presented = request.headers[API_KEY_HEADER];
    let tenant: TenantIdentity | null = null;
    if (typeof presented === 'string' && presented.length > 0) tenant = this.verifier.verifyCached(presented);
    if (!tenant) return this.verifyThenActivate(context, request, presented);
    const limit = this.rateLimiter.limitFor(tenant.rateLimit);
    if (limit) return this.limitThenActivate(context, request, tenant, limit);
    return this.activate(context, request, tenant);
  }

  private async verifyThenActivate(context: ExecutionContext, request: Request, presented: unknown): Promise<boolean> {
    let tenant: TenantIdentity;
    try {
      if (typeof presented !== 'string' || presented.length === 0) throw new InvalidApiKeyError('Missing API key');
      tenant = await this.verifier.verify(presented, request.ip ?? request.socket.remoteAddress ?? 'unknown');
    } catch (error) {
      if (error instanceof InvalidApiKeyError) authMetrics.verifications.inc({ outcome: 'invalid' });
      else if (error instanceof TooManyAttemptsError) authMetrics.verifications.inc({ outcome: 'throttled' });
      throw error;
    }
    const limit = this.rateLimiter.limitFor(tenant.rateLimit);
    if (limit) return this.limitThenActivate(context, request, tenant, limit);
    return this.activate(context, request, tenant);
  }

  private async limitThenActivate(context: ExecutionContext, request: Request, tenant: TenantIdentity, limit: RateLimitSetting): Promise<boolean> {
    const decision = await this.rateLimiter.take(tenant.id, limit);
    const response = context.switchToHttp().getResponse<Response>();
    response.setHeader(RATE_LIMIT_POLICY_HEADER, decision.policy);
    response.setHeader(RATE_LIMIT_HEADER, decision.state);
    if (!decision.allowed) {
      authMetrics.rateLimited.inc();
      throw new TenantRateLimitedError(decision.retryAfterSeconds);
    }
    return this.activate(context, request, tenant);
  }

  /** The key's scope against the route's, then the tenant into the request's context. */
  private activate(context: ExecutionContext, request: Request, tenant: TenantIdentity): boolean {
    this.checkScope(tenant, this.requiredScopes(context, request.method));
    this.context.enter(tenant);
    return true;
  }

  private checkScope(tenant: TenantIdentity, required: readonly ApiKeyScope[]): void {
    for (const scope of required) if (tenant.key.scopes.includes(scope)) return;
    throw new MissingScopeError(required[0]);
  }

  private requiredScopes(context: ExecutionContext, method: string): readonly ApiKeyScope[] {
    const handler = context.getHandler();
    let scopes = this.scopesOf.get(handler);
    if (!scopes) {
      // A route without a declaration (the route test fails on it) still gets the strictest reading of API.md.
      scopes =
        this.reflector.getAllAndOverride<ApiKeyScope[]>(REQUIRED_SCOPES, [handler, context.getClass()]) ??
        (method === 'GET' ? ['read'] : ['write']);
      this.scopesOf.set(handler, scopes);
    }
    return scopes;
  }
}
