import { startAppProcess } from './app-process';
import { LoadResult, LoadStep, runLoad } from './load';
import { machineBusyMs, ownCpuMs } from './machine-cpu';
import { describeRoleMs, PostgresCpu } from './postgres-cpu';
import { ProbeReading, ScenarioProbe } from './scenario-probe';
import { median } from './stats';

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
  /** The app process's CPU time (all threads) per request over the measured window: steadier than req/s on a busy machine. */
  cpuMsPerRequest: number;
  /** PostgreSQL's CPU per request over the window (ms; NaN when the server is not on this machine). */
  postgresMsPerRequest?: number;
  /**
   * CPU the rest of the machine used per second of the window (ms/s: busy CPU of the whole machine minus the app,
   * PostgreSQL and this bench process, autocannon included): what other work took from the run while it measured.
   */
  otherMsPerSecond?: number;
  /** Seconds the priming pass took (the longest over rounds). */
  primeSeconds?: number;
  /** Per-round figures when the scenario ran in several rounds. */
  rounds?: Array<{ rps: number; p50Ms: number; p99Ms: number; cpuMsPerRequest: number; postgresMsPerRequest?: number; otherMsPerSecond?: number }>;
}

/** A fresh app process per scenario, so its connections and RSS belong to that scenario alone. */
export async function runScenario(spec: ScenarioSpec, options: ScenarioOptions): Promise<ScenarioResult> {
  const app = await startAppProcess(spec.entry, spec.env, options.nodeArgs);
  try {
    await spec.preflight?.(app.url);
    // Before the probe starts, so its short-lived connection is not counted.
    const postgres = await PostgresCpu.open(options.databaseUrl);
    const probe = await ScenarioProbe.start(options.databaseUrl, app);
    const base = { url: app.url, connections: options.connections, steps: spec.steps };
    let primeSeconds: number | undefined;
    if (spec.primeRequests) {
      // autocannon refuses an amount below its connection count.
      const primed = await runLoad({ ...base, amount: Math.max(spec.primeRequests, options.connections) });
      primeSeconds = primed.seconds;
      options.log(`${spec.name}: primed with ${primed.requests} requests in ${primed.seconds} s`);
    }
    await runLoad({ ...base, duration: options.warmupSeconds });
    options.log(`${spec.name}: measuring for ${options.durationSeconds} s…`);
    const before = { app: app.cpuMs(), pg: postgres?.read(), machine: machineBusyMs(), own: ownCpuMs() };
    const load = await runLoad({ ...base, duration: options.durationSeconds });
    const appMs = app.cpuMs() - before.app;
    const after = postgres?.read();
    const pgMs = after && before.pg ? after.ms - before.pg.ms : NaN;
    const roles = after && before.pg ? describeRoleMs(before.pg.byRole, after.byRole) : '';
    const otherMs = machineBusyMs() - before.machine - appMs - pgMs - (ownCpuMs() - before.own);
    const cpuMsPerRequest = appMs / load.requests;
    const postgresMsPerRequest = pgMs / load.requests;
    const otherMsPerSecond = otherMs / load.seconds;
    const reading = await probe.stop();
    options.log(
      `${spec.name}: ${load.rps.toFixed(0)} req/s, p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, ` +
        `app CPU ${cpuMsPerRequest.toFixed(2)} ms/request, PostgreSQL ${postgresMsPerRequest.toFixed(2)} ms/request, ` +
        `other work on the machine ${otherMsPerSecond.toFixed(0)} ms/s, peak ${reading.peakConnections} PG connections, ${reading.hwmMiB.toFixed(0)} MiB, ` +
        `statuses ${JSON.stringify(load.statusCodes)}${roles ? `; PostgreSQL by process: ${roles}` : ''}`,
    );
    return { name: spec.name, load, probe: reading, cpuMsPerRequest, postgresMsPerRequest, otherMsPerSecond, primeSeconds };
  } finally {
    await app.stop();
  }
}

/** Several rounds of one scenario as one: median req/s and latencies, the highest peaks, all failures. */
export function combineRounds(rounds: ScenarioResult[]): ScenarioResult {
  if (rounds.length === 1) return rounds[0];
  const mid = (pick: (r: ScenarioResult) => number) => median(rounds.map(pick));
  const max = (pick: (r: ScenarioResult) => number) => Math.max(...rounds.map(pick));
  const sum = (pick: (r: ScenarioResult) => number) => rounds.reduce((total, r) => total + pick(r), 0);
  const statusCodes: Record<string, number> = {};
  for (const r of rounds) for (const [code, count] of Object.entries(r.load.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + count;
  return {
    name: rounds[0].name,
    load: {
      requests: sum((r) => r.load.requests),
      seconds: sum((r) => r.load.seconds),
      rps: mid((r) => r.load.rps),
      p50Ms: mid((r) => r.load.p50Ms),
      p99Ms: mid((r) => r.load.p99Ms),
      failures: sum((r) => r.load.failures),
      statusCodes,
    },
    cpuMsPerRequest: mid((r) => r.cpuMsPerRequest),
    postgresMsPerRequest: mid((r) => r.postgresMsPerRequest ?? NaN),
    otherMsPerSecond: max((r) => r.otherMsPerSecond ?? NaN),
    probe: { peakConnections: max((r) => r.probe.peakConnections), peakRssMiB: max((r) => r.probe.peakRssMiB), hwmMiB: max((r) => r.probe.hwmMiB) },
    primeSeconds: rounds[0].primeSeconds === undefined ? undefined : max((r) => r.primeSeconds ?? 0),
    rounds: rounds.map((r) => ({
      rps: r.load.rps,
      p50Ms: r.load.p50Ms,
      p99Ms: r.load.p99Ms,
      cpuMsPerRequest: r.cpuMsPerRequest,
      postgresMsPerRequest: r.postgresMsPerRequest,
      otherMsPerSecond: r.otherMsPerSecond,
    })),
  };
}
