import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { register } from 'prom-client';

const SRC = join(__dirname, '..', '..');

/** Each layer owns its metric objects in a `*-metrics.ts` module (README, "Metrics"): load every one. */
for (const file of readdirSync(SRC, { recursive: true, encoding: 'utf8' })) {
  if (file.endsWith('-metrics.ts')) require(join(SRC, file));
}

/** Tenantry's own metric families, as prom-client has them registered once every layer's metrics module is loaded. */
const registered = new Set(
  register
    .getMetricsAsArray()
    .map((metric) => metric.name)
    .filter((name) => name.startsWith('tenantry_')),
);

/**
 * The families README's metrics table names. A cell may abbreviate: `tenantry_job_claims_total` / `_completions_total`
 * stands for tenantry_job_completions_total, the first name's prefix (cut at an underscore) and the suffix.
 */
function documented(): { names: Set<string>; unknown: string[] } {
  const readme = readFileSync(join(SRC, '..', 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Metrics');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const names = new Set<string>();
  const unknown: string[] = [];
  for (const [, cell] of section.matchAll(/^\| (`tenantry_[^|]+)\|/gm)) {
    const [first, ...suffixes] = [...cell.matchAll(/`([a-z0-9_]+)`/g)].map((match) => match[1]);
    names.add(first);
    const cuts = [...first.matchAll(/_/g)].map((match) => first.slice(0, match.index));
    for (const suffix of suffixes) {
      const name = cuts.map((prefix) => prefix + suffix).find((candidate) => registered.has(candidate));
      if (name) names.add(name);
      else unknown.push(`${first} / ${suffix}`);
    }
  }
  return { names, unknown };
}

describe("README's metrics table matches the registered metric families", () => {
  const { names, unknown } = documented();

  it('names every tenantry_ family the code registers', () => {
    expect([...registered].filter((name) => !names.has(name))).toEqual([]);
  });

  it('finds every metric in a *-metrics.ts module, where this test loads them from', () => {
    const sources = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'));
    const constructsMetric = (file: string) => /new (Counter|Gauge|Histogram|Summary)\(/.test(readFileSync(join(SRC, file), 'utf8'));
    const elsewhere = sources.filter((file) => !file.endsWith('-metrics.ts') && constructsMetric(file));
    expect(elsewhere).toEqual([]);
  });

  it('names no family the code does not register', () => {
    expect([...[...names].filter((name) => !registered.has(name)), ...unknown]).toEqual([]);
  });
});
