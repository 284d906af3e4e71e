/** What a tenant key may do: `read` every GET, `write` create/change/delete, `worker` the worker protocol. */
export const API_KEY_SCOPES = ['read', 'write', 'worker'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export function isApiKeyScope(value: unknown): value is ApiKeyScope {
  return typeof value === 'string' && (API_KEY_SCOPES as readonly string[]).includes(value);
}
