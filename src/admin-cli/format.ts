import type { TenantView } from '../tenancy/registry/tenant-view';

export function tenantLines(tenant: TenantView): string {
  return [
    `id:          ${tenant.id}`,
    `name:        ${tenant.name}`,
    `slug:        ${tenant.slug}`,
    `schema:      ${tenant.schemaName}`,
    `active:      ${tenant.isActive ? 'yes' : 'no'}`,
    `created at:  ${tenant.createdAt}`,
    `updated at:  ${tenant.updatedAt}`,
  ].join('\n');
}

export function tenantTable(tenants: TenantView[]): string {
  if (tenants.length === 0) return 'No tenants.';
  const rows = tenants.map((t) => [t.slug, t.name, t.schemaName, t.isActive ? 'active' : 'inactive', t.id]);
  const header = ['SLUG', 'NAME', 'SCHEMA', 'STATUS', 'ID'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function keyNotice(apiKey: string): string {
  return `\nAPI key (shown once, store it now):\n  ${apiKey}\n`;
}
