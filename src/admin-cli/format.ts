import type { TenantView } from '../tenancy/registry/tenant-view';
import type { ApiKeyView } from '../tenancy/keys/api-key-view';

export function tenantLines(tenant: TenantView): string {
  return [
    `id:          ${tenant.id}`,
    `name:        ${terminalText(tenant.name)}`,
    `slug:        ${tenant.slug}`,
    `schema:      ${tenant.schemaName}`,
    `active:      ${tenant.isActive ? 'yes' : 'no'}`,
    `rate limit:  ${rateLimitText(tenant.rateLimit)}`,
    `created at:  ${tenant.createdAt}`,
    `updated at:  ${tenant.updatedAt}`,
    ...(tenant.deletedAt ? [`deleted at:  ${tenant.deletedAt}`, `purge after: ${tenant.purgeAfter}`] : []),
  ].join('\n');
}

function rateLimitText(limit: TenantView['rateLimit']): string {
  if (!limit) return 'instance default (TENANT_RATE_LIMIT_RPS)';
  if (limit.requestsPerSecond === 0) return 'unlimited';
  return `${limit.requestsPerSecond}/s, burst ${limit.burst}`;
}

export function tenantTable(tenants: TenantView[]): string {
  if (tenants.length === 0) return 'No tenants.';
  const status = (t: TenantView) => (t.deletedAt ? `deleted (purge after ${t.purgeAfter})` : t.isActive ? 'active' : 'inactive');
  return table(
    ['SLUG', 'NAME', 'SCHEMA', 'STATUS', 'ID'],
    tenants.map((t) => [t.slug, t.name, t.schemaName, status(t), t.id]),
  );
}

export function keyNotice(apiKey: string): string {
  return `\nAPI key (shown once, store it now):\n  ${apiKey}\n`;
}

export function keyTable(keys: ApiKeyView[]): string {
  if (keys.length === 0) return 'No keys.';
  const state = (k: ApiKeyView) => (k.graceUntil && Date.parse(k.graceUntil) > Date.now() ? `grace until ${k.graceUntil}` : k.revokedAt ? 'revoked' : 'live');
  const rows = keys.map((k) => [k.prefix, k.name, k.scopes.join(','), state(k), k.expiresAt ?? '-', k.lastUsedAt ?? '-']);
  return table(['PREFIX', 'NAME', 'SCOPES', 'STATE', 'EXPIRES', 'LAST USED'], rows);
}

export function auditTable(events: Array<{ at: string; actor: string; action: string; keyId: string | null; detail: unknown }>): string {
  if (events.length === 0) return 'No events.';
  return table(
    ['AT', 'ACTOR', 'ACTION', 'KEY', 'DETAIL'],
    events.map((e) => [e.at, e.actor, e.action, e.keyId ?? '-', JSON.stringify(e.detail)]),
  );
}

/** Every cell is shown as terminalText. */
function table(header: string[], cells: string[][]): string {
  const rows = cells.map((row) => row.map((cell) => terminalText(cell)));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

// C0 controls (newline included unless kept), DEL, C1 controls, and the bidirectional embeddings, overrides and isolates.
const BUT_NEWLINE = '\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069';
const CONTROLS = new RegExp(`[${BUT_NEWLINE}]`, 'g');
const CONTROLS_AND_NEWLINE = new RegExp(`[${BUT_NEWLINE}\\n]`, 'g');

/**
 * Text that came from the database or an archive (a tenant's or a key's name, an error naming a value), as a
 * terminal may show it: every control character written as `\u001b`, so a name cannot move the cursor, retitle
 * the window, clear a line or forge one of the CLI's own lines. `keepNewlines` for messages of several lines.
 */
export function terminalText(text: string, keepNewlines = false): string {
  const hex = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  return text.replace(keepNewlines ? CONTROLS : CONTROLS_AND_NEWLINE, hex);
}
