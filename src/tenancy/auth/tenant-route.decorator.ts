import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import { ApiErrorResponses } from '../../common/api-error-responses.decorator';
import { ApiKeyGuard } from './api-key.guard';

export const TENANT_KEY_SCHEME = 'tenantApiKey';

/** Marks a controller or route as tenant-scoped: `X-API-Key` required, TenantContext filled. */
export function TenantRoute(): ClassDecorator & MethodDecorator {
  return applyDecorators(
    ApiSecurity(TENANT_KEY_SCHEME),
    UseGuards(ApiKeyGuard),
    ApiErrorResponses(
      { status: 401, description: 'Missing or invalid API key (`Missing API key`, `Invalid API key`)' },
      {
        status: 403,
        description: "Tenant is deactivated, or the key lacks the route's scope (`API key lacks the <scope> scope`)",
        message: 'Tenant is deactivated',
      },
      {
        status: 429,
        description:
          "Over the tenant's rate limit on this instance (`Rate limit exceeded for this tenant`), or too many failed " +
          'authentication attempts from this client (counted by every instance); retry after `Retry-After` seconds',
      },
      {
        status: 503,
        description: "The tenant's schema is being upgraded, or the database is unavailable; retry after `Retry-After` seconds",
        message: 'This tenant is being upgraded; retry shortly',
      },
    ),
  );
}
