import path from 'node:path';
import type { ScenarioResult, ScenarioSpec } from './run-scenario';
import { markdownTable, median } from './stats';

export const RAW_NAME = 'raw node:http + pg (no framework)';
export const BEFORE_SUFFIX = ' [before]';

/**
 * `--only <regex>`: the scenarios whose name matches, in the bench's order. `--before <dir>`: each selected
 * scenario of the app (not raw, not the baseline) also runs, just before itself, from another build's dist/
 * directory (the code before a change), so every before/after pair shares a round and the machine's load.
 */
export function selectSpecs(specs: ScenarioSpec[], only: string | undefined, beforeDist: string | undefined, distRoot: string): ScenarioSpec[] {
  const pattern = only === undefined ? undefined : new RegExp(only, 'i');
  const chosen = specs.filter((spec) => !pattern || pattern.test(spec.name));
  if (chosen.length === 0) throw new Error(`--only ${only}: no scenario matches; scenarios: ${specs.map((s) => s.name).join('; ')}`);
  if (!beforeDist) return chosen;
  const mainEntry = path.join(distRoot, 'src', 'main.js');
  return chosen.flatMap((spec) =>
    spec.entry === mainEntry ? [{ ...spec, name: `${spec.name}${BEFORE_SUFFIX}`, entry: path.join(path.resolve(beforeDist), 'src', 'main.js') }, spec] : [spec],
  );
}

/** Per-round req/s and CPU per request of the selected scenarios, with after ÷ before and ÷ raw per round when present. */
export function renderSelectionReport(rounds: ScenarioResult[][]): string {
  const byName = new Map(rounds.map((r) => [r[0].name, r]));
  const raw = byName.get(RAW_NAME);
  const ratio = (of: ScenarioResult[], to: ScenarioResult[] | undefined) => {
    if (!to || to === of) return '—';
    const values = of.map((r, k) => r.load.rps / to[k].load.rps);
    return `${median(values).toFixed(2)}× (${values.map((v) => v.toFixed(2)).join(', ')})`;
  };
  const rows = rounds.map((results) => {
    const name = results[0].name;
    const before = name.endsWith(BEFORE_SUFFIX) ? undefined : byName.get(`${name}${BEFORE_SUFFIX}`);
    return [
      name,
      `${median(results.map((r) => r.load.rps)).toFixed(0)} (${results.map((r) => r.load.rps.toFixed(0)).join(', ')})`,
      `${median(results.map((r) => r.load.p99Ms))} ms`,
      `${median(results.map((r) => r.cpuMsPerRequest)).toFixed(3)} (${results.map((r) => r.cpuMsPerRequest.toFixed(3)).join(', ')})`,
      `${median(results.map((r) => r.postgresMsPerRequest ?? NaN)).toFixed(3)}`,
      `${Math.max(...results.map((r) => r.otherMsPerSecond ?? NaN)).toFixed(0)}`,
      ratio(results, raw),
      ratio(results, before),
      String(results.reduce((n, r) => n + r.load.failures, 0)),
    ];
  });
  return markdownTable(['scenario', 'req/s median (rounds)', 'p99', 'app CPU ms/req median (rounds)', 'PG ms/req', 'other ms/s (max)', 'vs raw', 'vs before', 'non-2xx'], rows);
}
