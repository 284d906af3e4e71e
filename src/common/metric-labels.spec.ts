import { tenantLabel, useTenantLabels } from './metric-labels';

describe('tenant metric labels', () => {
  afterEach(() => useTenantLabels(false));

  it('leave the tenant out unless METRICS_TENANT_LABELS turned them on', () => {
    expect(tenantLabel('acme')).toEqual({});
    useTenantLabels(true);
    expect(tenantLabel('acme')).toEqual({ tenant: 'acme' });
  });
});
