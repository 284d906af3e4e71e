import { Counter, Gauge } from 'prom-client';

/** The job queue in Prometheus terms (counted when the statement ran; a rolled-back transaction is rare). */
export const jobMetrics = {
  claims: new Counter({ name: 'tenantry_job_claims_total', help: 'Jobs handed to a worker' }),
  completions: new Counter({ name: 'tenantry_job_completions_total', help: 'Jobs completed by their worker' }),
  failures: new Counter({
    name: 'tenantry_job_failures_total',
    help: 'Failed attempts reported by workers, by outcome (retried: queued again; failed: for good)',
    labelNames: ['outcome'],
  }),
  leaseExpiries: new Counter({ name: 'tenantry_job_lease_expiries_total', help: 'Running jobs whose lease expired (a failed attempt)' }),
  waitingClaims: new Gauge({ name: 'tenantry_job_claims_waiting', help: 'Long-poll claims waiting for a job (holding no connection)' }),
  logStreams: new Gauge({ name: 'tenantry_job_log_streams_open', help: 'Open GET /jobs/{id}/logs/stream event streams' }),
};
