import { Counter, Gauge } from 'prom-client';

/** API key verification in Prometheus terms. Outcomes: cache_hit, pbkdf2_ok, invalid, throttled. */
export const authMetrics = {
  verifications: new Counter({
    name: 'tenantry_auth_verifications_total',
    help: 'API key verifications by outcome (cache_hit: no I/O; pbkdf2_ok: a derivation proved the key; invalid: 401; throttled: 429)',
    labelNames: ['outcome'],
  }),
  pbkdf2InFlight: new Gauge({ name: 'tenantry_auth_pbkdf2_in_flight', help: 'PBKDF2 derivations running on the thread pool' }),
  pbkdf2Derivations: new Counter({
    name: 'tenantry_auth_pbkdf2_total',
    help: 'PBKDF2 derivations run to verify a presented key, whatever their outcome (what failures can cost)',
  }),
  rateLimited: new Counter({ name: 'tenantry_tenant_rate_limited_total', help: "Requests refused (429) for being over their tenant's rate limit" }),
};
