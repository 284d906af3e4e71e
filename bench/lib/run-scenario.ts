import { startAppProcess } from './app-process';
import { LoadResult, LoadStep, runLoad } from './load';
import { ProbeReading, ScenarioProbe } from './scenario-probe';

export interface ScenarioSpec {
  name: string;
  entry: string;
  env: Record<string, string>;
  steps: LoadStep[];
  /** Requests sent before the timed warm-up, e.g. one per tenant so every key has been verified once. */
  primeRequests?: number;
  /** Checks the app answers as expected before any load. */
  preflight?: (url: string) => Promise<void>;
}

export interface ScenarioOptions {
  databaseUrl: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  nodeArgs: string[];
  log: (line: string) => void;
}

export interface ScenarioResult {
  name: string;
  load: LoadResult;
  probe: ProbeReading;
}

/** A fresh app process per scenario, so its connections and RSS belong to that scenario alone. */
export async function runScenario(spec: ScenarioSpec, options: ScenarioOptions): Promise<ScenarioResult> {
  const app = await startAppProcess(spec.entry, spec.env, options.nodeArgs);
  try {
    await spec.preflight?.(app.url);
    const probe = await ScenarioProbe.start(options.databaseUrl, app);
    const base = { url: app.url, connections: options.connections, steps: spec.steps };
    if (spec.primeRequests) {
      options.log(`${spec.name}: priming with ${spec.primeRequests} requests…`);
      await runLoad({ ...base, amount: spec.primeRequests });
    }
    await runLoad({ ...base, duration: options.warmupSeconds });
    options.log(`${spec.name}: measuring for ${options.durationSeconds} s…`);
    const load = await runLoad({ ...base, duration: options.durationSeconds });
    const reading = await probe.stop();
    options.log(`${spec.name}: ${load.rps.toFixed(0)} req/s, p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, statuses ${JSON.stringify(load.statusCodes)}`);
    return { name: spec.name, load, probe: reading };
  } finally {
    await app.stop();
  }
}
