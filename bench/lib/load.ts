/** The raw request autocannon hands to `setupRequest`; returning a falsy value restarts the sequence. */
export interface LoadRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One step of the sequence every connection loops over; `context` is per connection. */
export interface LoadStep {
  method?: string;
  path?: string;
  setupRequest?: (request: LoadRequest, context: Record<string, unknown>) => LoadRequest | null;
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
  latency: { p50: number; p99: number; totalCount: number };
  requests: { total: number };
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
// autocannon ships no type declarations; only the programmatic entry point is used.
const autocannon = require('autocannon') as Autocannon;

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests that did not get a 2xx, plus socket errors and timeouts. */
  failures: number;
  statusCodes: Record<string, number>;
}

/**
 * Closed-loop load: `connections` keep-alive connections each loop over `steps`, for `duration` s or `amount`
 * requests; with `overallRate`, at most that many requests a second from all connections together.
 */
export async function runLoad(options: {
  url: string;
  connections: number;
  steps: LoadStep[];
  duration?: number;
  amount?: number;
  overallRate?: number;
}): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.duration ?? 10,
    amount: options.amount,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    requests: options.steps,
    headers: { 'content-type': 'application/json' },
    timeout: 30,
  });
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]));
  return {
    requests: result.latency.totalCount,
    seconds: result.duration,
    rps: result.latency.totalCount / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
    statusCodes,
  };
}
