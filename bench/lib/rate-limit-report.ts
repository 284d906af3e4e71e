import type { BadKeyFloodResult, NoisyNeighbourResult } from './rate-limit-bench';
import { markdownTable } from './stats';

const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const statuses = (codes: Record<string, number>) =>
  Object.entries(codes)
    .map(([code, count]) => `${code}: ${int(count)}`)
    .join(', ');

const costOf = (cost: BadKeyFloodResult['floodAlone']) =>
  `app CPU ${cost.appCpuMsPerRequest.toFixed(3)} ms` +
  (cost.postgresCpuMsPerRequest === null ? '' : ` + PostgreSQL CPU ${cost.postgresCpuMsPerRequest.toFixed(3)} ms`);

/** The two rate-limit rows of issue 11: another load beside a measured tenant, against that tenant alone. */
export function renderRateLimitReport(noisy: NoisyNeighbourResult, flood: BadKeyFloodResult): string {
  const noisySent = noisy.other.rps;
  const admitted = (noisy.other.statusCodes['200'] ?? 0) / noisy.other.seconds;
  const floodSent = flood.other.rps;
  const rows = [
    [
      'noisy neighbour',
      `B alone ${int(noisy.aloneRps)} req/s, beside A ${int(noisy.loadedRps)} req/s`,
      `${noisy.ratio.toFixed(2)}×`,
      `A sent ${int(noisySent)} req/s = ${(noisySent / noisy.limitRps).toFixed(0)}× its limit of ${noisy.limitRps}/s ` +
        `(asked for ${int(noisy.offeredRps)}); admitted ${admitted.toFixed(1)}/s; ${statuses(noisy.other.statusCodes)}`,
      `B ≥ 0.90× alone: ${verdict(noisy.ratio >= 0.9)}; A ≥ 10× its limit: ${verdict(noisySent >= 10 * noisy.limitRps)}`,
    ],
    [
      'bad-key flood',
      `victim alone ${int(flood.aloneRps)} req/s, under the flood ${int(flood.loadedRps)} req/s`,
      `${flood.ratio.toFixed(2)}×`,
      `${int(floodSent)} forged keys/s (asked for ${int(flood.offeredRps)}) for the victim's key id from ${int(flood.addresses)} ` +
        `addresses; ${statuses(flood.other.statusCodes)}; PBKDF2 ${flood.pbkdf2PerSecond.toFixed(2)}/s; ` +
        `alone, ${int(flood.floodAlone.rps)}/s at ${costOf(flood.floodAlone)} per forged key`,
      `victim ≥ 0.90× alone: ${verdict(flood.ratio >= 0.9)}; PBKDF2 ≤ budget ${flood.budgetPerSecond.toFixed(2)}/s per key id: ` +
        `${verdict(flood.pbkdf2PerSecond <= flood.budgetPerSecond)}`,
    ],
    fixedRateRow(flood),
  ];
  return markdownTable(['scenario', 'measured tenant', 'vs alone', 'the other load', 'target'], rows);
}

/** The victim at a fixed offered rate: what it achieved, its latencies and its failures, alone and under the flood. */
function fixedRateRow(flood: BadKeyFloodResult): string[] {
  const { offeredRps, alone, loaded, ratio } = flood.fixedRate;
  const window = (name: string, load: typeof alone) =>
    `${name} ${int(load.rps)} req/s, p50 ${load.p50Ms} / p99 ${load.p99Ms} ms, ${int(load.failures)} non-2xx`;
  return [
    `bad-key flood, victim at ${int(offeredRps)} req/s (½ of alone)`,
    `${window('alone', alone)}; ${window('under the flood', loaded)}`,
    `${ratio.toFixed(2)}×`,
    'the same flood as the row above',
    `victim ≥ 0.90× alone at its offered rate, no non-2xx: ${verdict(ratio >= 0.9 && loaded.failures === 0)}`,
  ];
}
