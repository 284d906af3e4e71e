import type { AuthCost } from './auth-bench';
import type { ScenarioResult } from './run-scenario';
import { fixed, markdownTable, median, percentile } from './stats';

export interface HttpReport {
  /** Each scenario's rounds, baseline first; round k of every scenario ran in the same pass. */
  rounds: ScenarioResult[][];
  baseline: ScenarioResult;
  oneTenant: ScenarioResult;
  manyTenants: ScenarioResult;
  writes: ScenarioResult;
  /** The node:http + pg yardstick (scenario 4) and the cold-DataSource rotation (scenario 5). */
  raw: ScenarioResult;
  coldTenants: ScenarioResult;
  /** 1 tenant with request logs and metrics on (scenario 6), and with both off (scenario 7). */
  opsOn: ScenarioResult;
  opsOff: ScenarioResult;
  /** 1 tenant with a rate limit in force that is never reached (scenario 8). */
  rateLimited: ScenarioResult;
  /** POST /targets on raw-main.ts (scenario 9) and on the app, 1 tenant (scenario 10). */
  rawPost: ScenarioResult;
  post: ScenarioResult;
  auth: AuthCost;
  creationMs: number[];
  tenantCount: number;
  writerCount: number;
  connectionLimit: number;
  /** AUTH_CACHE_TTL_SECONDS, and how long priming + warm-up + measurement took, to flag expired keys. */
  authTtlSeconds: number;
  windowSeconds: number;
}

const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
const int = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * req/s ÷ the baseline's req/s of the same round, median over rounds (with the range): rounds next to each
 * other in time share the machine's background load, so pairing them cancels most of it.
 */
export function ratioToBaseline(rounds: ScenarioResult[][], scenario: number, against = 0): { median: number; min: number; max: number } {
  const ratios = rounds[scenario].map((r, k) => r.load.rps / rounds[against][k].load.rps);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

type Ratio = { median: number; min: number; max: number };
const RAW = 4;
const RATE_LIMITED = 8;
export const RATE_LIMITED_NAME = '1 tenant, rate limit on (1,000,000/s, never reached)';
const RAW_POST = 9;
const POST = 10;

const ratioText = (ratio: Ratio | undefined) =>
  ratio ? `${ratio.median.toFixed(2)}×${ratio.min === ratio.max ? '' : ` (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`}` : '—';

export function httpRow(result: ScenarioResult, ratio: Ratio, target: string, raw?: Ratio): string[] {
  const { load, probe } = result;
  return [
    result.name,
    int(load.rps),
    `${+load.p50Ms.toFixed(1)} ms`,
    `${+load.p99Ms.toFixed(1)} ms`,
    ratioText(ratio),
    ratioText(raw),
    `${result.cpuMsPerRequest.toFixed(2)} ms`,
    String(probe.peakConnections),
    `${fixed(probe.hwmMiB, 0)} MiB`,
    load.failures ? `${load.failures} of ${int(load.requests)}` : '0',
    target,
  ];
}

function rateLimitedRow(rounds: ScenarioResult[][], result: ScenarioResult, index: number, raw?: Ratio): string[] {
  const ratio = ratioToBaseline(rounds, index);
  return httpRow(result, ratio, `≥ 0.90× (scopes, rate limiting, lastUsedAt on): ${verdict(ratio.median >= 0.9)}`, raw);
}

/** `--rate-limits`: baseline, 1 tenant and 1 tenant with a rate limit in force (scenarios 0, 1, 2 of that run). */
export function renderRateLimitedRows(rounds: ScenarioResult[][], combined: ScenarioResult[]): string {
  const one = ratioToBaseline(rounds, 1);
  const rows = [
    httpRow(combined[0], ratioToBaseline(rounds, 0), '—'),
    httpRow(combined[1], one, `≥ 0.90×: ${verdict(one.median >= 0.9)}`),
    rateLimitedRow(rounds, combined[2], 2),
  ];
  return markdownTable(['scenario', 'req/s', 'p50', 'p99', 'vs baseline', 'vs raw', 'app CPU/req', 'peak PG conns', 'peak RSS', 'non-2xx', 'target'], rows);
}

/** The one table `npm run bench` prints: every scenario of the run, its ratio to baseline, and issue 5's targets. */
export function renderHttpReport(r: HttpReport): string {
  const [base, one, manyRatio, writesRatio, rawRatio, coldRatio] = [0, 1, 2, 3, 4, 5].map((i) => ratioToBaseline(r.rounds, i));
  const vsRaw = (i: number) => ratioToBaseline(r.rounds, i, RAW);
  const oneRaw = vsRaw(1);
  const postRaw = ratioToBaseline(r.rounds, POST, RAW_POST);
  const manyRaw = vsRaw(2);
  const cold = r.coldTenants;
  const opsCost = ratioToBaseline(r.rounds, 6, 7);
  const many = r.manyTenants;
  const creationP50 = percentile(r.creationMs, 50);
  const rows = [
    httpRow(r.baseline, base, '—', vsRaw(0)),
    httpRow(
      r.oneTenant,
      one,
      `≥ 0.90×: ${verdict(one.median >= 0.9)}; ≥ 0.60× raw: ${verdict(oneRaw.median >= 0.6)}; ` +
        `p99 ≤ 2× raw's: ${verdict(r.oneTenant.load.p99Ms <= 2 * r.raw.load.p99Ms)}`,
      oneRaw,
    ),
    httpRow(
      many,
      manyRatio,
      `≥ 0.70×: ${verdict(manyRatio.median >= 0.7)}; conns ≤ ${r.connectionLimit}: ${verdict(many.probe.peakConnections <= r.connectionLimit)}; ` +
        `RSS ≤ 300 MiB: ${verdict(many.probe.hwmMiB <= 300)}` +
        ((many.primeSeconds ?? 0) + r.windowSeconds > r.authTtlSeconds
          ? ` (priming took ${many.primeSeconds} s: keys verified then expired from the ${r.authTtlSeconds} s auth cache during the window, so cold verifications are included)`
          : '') +
        `; ≥ 0.50× raw: ${verdict(manyRaw.median >= 0.5)}`,
      manyRaw,
    ),
    httpRow(
      cold,
      coldRatio,
      `≥ 0.80×: ${verdict(coldRatio.median >= 0.8)}; conns ≤ ${r.connectionLimit}: ${verdict(cold.probe.peakConnections <= r.connectionLimit)}`,
      vsRaw(5),
    ),
    httpRow(r.opsOff, ratioToBaseline(r.rounds, 7), '— (the reference of the row below)', vsRaw(7)),
    httpRow(
      r.opsOn,
      ratioToBaseline(r.rounds, 6),
      `vs logs and metrics off ≥ 0.90×: ${verdict(opsCost.median >= 0.9)} (${opsCost.median.toFixed(2)}×)`,
      vsRaw(6),
    ),
    rateLimitedRow(r.rounds, r.rateLimited, RATE_LIMITED, vsRaw(RATE_LIMITED)),
    httpRow(r.raw, rawRatio, '— (the limit of the stack: node:http + pg, same query and JSON)', vsRaw(4)),
    httpRow(r.rawPost, ratioToBaseline(r.rounds, RAW_POST), '— (the write yardstick: node:http + pg, INSERT … RETURNING)', ratioToBaseline(r.rounds, RAW_POST, RAW_POST)),
    httpRow(r.post, ratioToBaseline(r.rounds, POST), `≥ 0.50× raw POST: ${verdict(postRaw.median >= 0.5)}`, postRaw),
    httpRow(r.writes, writesRatio, `— (${int(r.writes.load.rps / 3)} create+claim+complete loops/s; ratio is against a GET)`),
    [
      'auth (in-process)',
      `warm ${fixed(r.auth.warmUs, 2)} µs/op`,
      `cold ${int(r.auth.coldP50Us)} µs`,
      `cold ${int(r.auth.coldP99Us)} µs`,
      '—',
      '—',
      '—',
      '—',
      '—',
      '0',
      `warm ≤ 50 µs: ${verdict(r.auth.warmUs <= 50)} (${int(r.auth.warmIterations)} warm, ${r.auth.coldSamples} cold verifications)`,
    ],
    [
      `tenant creation (${int(r.tenantCount)} present)`,
      '—',
      `${fixed(creationP50)} ms`,
      `${fixed(percentile(r.creationMs, 99))} ms`,
      '—',
      '—',
      '—',
      '—',
      '—',
      '0',
      `p50 ≤ 150 ms: ${verdict(creationP50 <= 150)} (${r.creationMs.length} sequential creates, in-process)`,
    ],
  ];
  return markdownTable(['scenario', 'req/s', 'p50', 'p99', 'vs baseline', 'vs raw', 'app CPU/req', 'peak PG conns', 'peak RSS', 'non-2xx', 'target'], rows);
}
