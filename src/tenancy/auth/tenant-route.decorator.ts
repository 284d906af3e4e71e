import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiResponse, ApiSecurity } from '@nestjs/swagger';
import { ErrorDto } from '../../common/error.dto';
import { ApiKeyGuard } from './api-key.guard';

export const TENANT_KEY_SCHEME = 'tenantApiKey';

/** Marks a controller or route as tenant-scoped: `X-API-Key` required, TenantContext filled. */
export function TenantRoute(): ClassDecorator & MethodDecorator {
  return applyDecorators(
    ApiSecurity(TENANT_KEY_SCHEME),
    UseGuards(ApiKeyGuard),
    ApiResponse({ status: 401, description: 'Missing or invalid API key', type: ErrorDto }),
    ApiResponse({ status: 403, description: 'Tenant is deactivated', type: ErrorDto }),
    ApiResponse({ status: 429, description: 'Too many failed authentication attempts', type: ErrorDto }),
    ApiResponse({ status: 503, description: "The tenant's schema is being upgraded, or the database is unavailable", type: ErrorDto }),
  );
}
