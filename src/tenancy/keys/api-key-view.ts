import type { ApiKey } from '../auth/api-key.entity';
import { API_KEY_PREFIX } from '../auth/api-key';
import type { ApiKeyScope } from '../auth/api-key-scopes';

/** The public view of a key (API.md `ApiKey`), shared by the admin API and the CLI: never its hash or tag. */
export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  graceUntil: string | null;
  revokedAt: string | null;
}

const iso = (value: Date | null) => value?.toISOString() ?? null;

export function toApiKeyView(key: ApiKey): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    prefix: `${API_KEY_PREFIX}${key.id}`,
    scopes: key.scopes,
    createdAt: key.createdAt.toISOString(),
    expiresAt: iso(key.expiresAt),
    lastUsedAt: iso(key.lastUsedAt),
    graceUntil: iso(key.graceUntil),
    revokedAt: iso(key.revokedAt),
  };
}
