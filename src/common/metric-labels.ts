/**
 * METRICS_TENANT_LABELS, set once at start-up: whether the per-tenant metric families carry a `tenant` label.
 * Off by default: one series per tenant and family grows without bound with the number of tenants.
 */
let tenantLabels = false;

export function useTenantLabels(enabled: boolean): void {
  tenantLabels = enabled;
}

/** `{ tenant }` when tenant labels are on, else nothing (the label stays absent). */
export function tenantLabel(tenant: string): { tenant?: string } {
  return tenantLabels ? { tenant } : {};
}
