import { tmpdir } from 'node:os';
import path from 'node:path';
import { findPgbouncer, startPgbouncer, type PgbouncerHandle } from '../../test/utils/pgbouncer';
import { databaseUrl } from '../../test/utils/test-database';
import type { ScenarioResult, ScenarioSpec } from './run-scenario';
import { fixed } from './stats';

/**
 * `npm run bench -- --pgbouncer`: PgBouncer (stock settings + pool_mode = transaction, loopback) in front of
 * the bench database, and each read scenario run twice: the app connected directly, then through PgBouncer
 * (DATABASE_URL = PgBouncer, DATABASE_DIRECT_URL = PostgreSQL for LISTEN).
 */
export async function startBenchPgbouncer(directUrl: string, log: (line: string) => void): Promise<{ url: string; handle: PgbouncerHandle }> {
  const binary = findPgbouncer();
  if (!binary) throw new Error('--pgbouncer needs pgbouncer installed (apt-get install pgbouncer)');
  const server = new URL(directUrl);
  const handle = await startPgbouncer(binary, directUrl, path.join(tmpdir(), `tenantry-bench-${process.pid}-pgbouncer`));
  log(`PgBouncer (transaction pooling) on ${new URL(handle.url).host}`);
  return { url: databaseUrl(handle.url, decodeURIComponent(server.pathname.slice(1))), handle };
}

/** Each spec, then the same through PgBouncer. */
export function withPgbouncerTwins(specs: ScenarioSpec[], pooledUrl: string, directUrl: string): ScenarioSpec[] {
  return specs.flatMap((spec) => [
    spec,
    { ...spec, name: `${spec.name}, through PgBouncer`, env: { ...spec.env, DATABASE_URL: pooledUrl, DATABASE_DIRECT_URL: directUrl } },
  ]);
}

/** Direct and PgBouncer side by side, pairs in the order withPgbouncerTwins made them. */
export function renderPgbouncerReport(results: ScenarioResult[]): string {
  const lines = ['| scenario | direct req/s | PgBouncer req/s | ratio | p50 / p99 direct | p50 / p99 PgBouncer | PostgreSQL connections (direct / PgBouncer) |', '| --- | --- | --- | --- | --- | --- | --- |'];
  for (let i = 0; i + 1 < results.length; i += 2) {
    const [direct, pooled] = [results[i], results[i + 1]];
    lines.push(
      `| ${direct.name} | ${fixed(direct.load.rps, 0)} | ${fixed(pooled.load.rps, 0)} | ${fixed(pooled.load.rps / direct.load.rps, 2)}× | ` +
        `${fixed(direct.load.p50Ms, 1)} / ${fixed(direct.load.p99Ms, 1)} ms | ${fixed(pooled.load.p50Ms, 1)} / ${fixed(pooled.load.p99Ms, 1)} ms | ` +
        `${direct.probe.peakConnections} / ${pooled.probe.peakConnections} |`,
    );
  }
  const failures = results.filter((r) => r.load.failures > 0).map((r) => `${r.name}: ${r.load.failures} failed requests`);
  return [...lines, ...failures].join('\n');
}
