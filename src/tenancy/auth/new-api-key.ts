import { generateApiKey } from './api-key';
import { ApiKey } from './api-key.entity';
import { checkTag, hashApiKey } from './api-key-hasher';
import { API_KEY_SCOPES, ApiKeyScope } from './api-key-scopes';

export interface NewApiKeyFields {
  tenantId: string;
  name: string;
  scopes?: ApiKeyScope[];
  expiresAt?: Date | null;
}

/** A fresh key and the row that stores it (hash and check tag only); the key is shown once by the caller. */
export async function newApiKey(iterations: number, fields: NewApiKeyFields): Promise<{ row: ApiKey; apiKey: string }> {
  const { keyId, key } = generateApiKey();
  const hash = await hashApiKey(key, iterations);
  const row = Object.assign(new ApiKey(), {
    id: keyId,
    tenantId: fields.tenantId,
    name: fields.name,
    scopes: [...(fields.scopes ?? API_KEY_SCOPES)],
    hash,
    checkTag: checkTag(key, hash),
    createdAt: new Date(),
    expiresAt: fields.expiresAt ?? null,
    lastUsedAt: null,
    graceUntil: null,
    revokedAt: null,
  });
  return { row, apiKey: key };
}
