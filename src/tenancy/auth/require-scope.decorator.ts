import { SetMetadata } from '@nestjs/common';
import type { ApiKeyScope } from './api-key-scopes';

export const REQUIRED_SCOPES = 'tenantry:required-scopes';

/**
 * The scopes of which a tenant route's key needs one (API.md "Keys"), declared next to the route. A test lists
 * every route of the app and fails on a tenant route without it; `403 "API key lacks the <first> scope"` otherwise.
 */
export function RequireScope(...scopes: [ApiKeyScope, ...ApiKeyScope[]]): MethodDecorator & ClassDecorator {
  return SetMetadata(REQUIRED_SCOPES, scopes);
}
