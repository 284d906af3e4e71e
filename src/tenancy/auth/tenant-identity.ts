import type { RateLimitSetting } from '../rate-limit/rate-limit-rules';
import type { ApiKeyScope } from './api-key-scopes';

/** The calling key, as a request sees it (never its hash). */
export interface CallingKey {
  id: string;
  name: string;
  scopes: readonly ApiKeyScope[];
  expiresAt: Date | null;
}

/** What a verified API key resolves to; cached and carried through the request. Holds no key material. */
export interface TenantIdentity {
  id: string;
  name: string;
  slug: string;
  schemaName: string;
  isActive: boolean;
  /** Soft-deleted: refused (403) until restored. */
  isDeleted: boolean;
  createdAt: Date;
  /** The tenant's own rate limit; null = the instance default. */
  rateLimit: RateLimitSetting | null;
  key: CallingKey;
}
