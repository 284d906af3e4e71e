import { crc32 } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { API_KEY_PREFIX, toBase62 } from '../../src/tenancy/auth/api-key';
import { startAppProcess } from './app-process';
import { PostgresCpu } from './postgres-cpu';
import { LoadResult, LoadStep, runLoad } from './load';
import type { ScenarioOptions } from './run-scenario';
import { listTargetsSteps, LIST_PATH } from './scenario-steps';

/** Measured req/s of the measured tenant: alone before, under the other load, alone after. */
export interface UnderLoad {
  aloneRps: number;
  loadedRps: number;
  /** loaded ÷ the mean of the two alone windows (they bracket it, so drift on a shared machine cancels). */
  ratio: number;
  /** The other load while it ran: what it sent, and its answers by status. */
  other: LoadResult;
}

export interface NoisyNeighbourResult extends UnderLoad {
  limitRps: number;
  offeredRps: number;
}

/** The measured tenant at a fixed offered rate (autocannon overallRate), alone and under the other load. */
export interface AtFixedRate {
  offeredRps: number;
  /** The window before the other load. */
  alone: LoadResult;
  loaded: LoadResult;
  /** Achieved req/s under the other load ÷ the mean of the alone windows before and after. */
  ratio: number;
}

/** The flood on its own for one window: what each forged key costs the app and PostgreSQL (CPU ms per request). */
export interface FloodCost {
  rps: number;
  appCpuMsPerRequest: number;
  /** null when the database is not on this machine. */
  postgresCpuMsPerRequest: number | null;
}

export interface BadKeyFloodResult extends UnderLoad {
  floodAlone: FloodCost;
  /** The victim at half its unloaded saturation throughput (a rate a tenant really sends), alone and under the flood. */
  fixedRate: AtFixedRate;
  offeredRps: number;
  addresses: number;
  /** PBKDF2 derivations the app ran during the flood window, per second (tenantry_auth_pbkdf2_total). */
  pbkdf2PerSecond: number;
  /** AUTH_FAILURE_LIMIT per AUTH_FAILURE_WINDOW_SECONDS: the most a key id without a check tag may cost. */
  budgetPerSecond: number;
}

const ALONE_CONNECTIONS = 10;

/** Answers over the window (autocannon's own duration is unreliable with overallRate). */
function overWindow(load: LoadResult, seconds: number): LoadResult {
  const answered = Object.values(load.statusCodes).reduce((sum, count) => sum + count, 0);
  return { ...load, requests: answered, seconds, rps: answered / seconds };
}

/** The measured tenant at `rate` req/s: alone, under the other load, alone again. */
async function atFixedRate(url: string, options: ScenarioOptions, measured: LoadStep[], rate: number, other: OtherLoad): Promise<AtFixedRate> {
  const duration = options.durationSeconds;
  const measure = async () => overWindow(await runLoad({ url, connections: ALONE_CONNECTIONS, steps: measured, duration, overallRate: rate }), duration);
  const alone = await measure();
  const [loaded] = await Promise.all([
    measure(),
    runLoad({ url, connections: other.connections, steps: other.steps, duration, overallRate: other.overallRate }),
  ]);
  const after = await measure();
  return { offeredRps: rate, alone, loaded, ratio: loaded.rps / ((alone.rps + after.rps) / 2) };
}

interface OtherLoad {
  steps: LoadStep[];
  connections: number;
  overallRate: number;
}

async function alongside(
  url: string,
  options: ScenarioOptions,
  measured: LoadStep[],
  other: OtherLoad,
): Promise<UnderLoad> {
  const measure = () => runLoad({ url, connections: ALONE_CONNECTIONS, steps: measured, duration: options.durationSeconds });
  await runLoad({ url, connections: ALONE_CONNECTIONS, steps: measured, duration: options.warmupSeconds });
  const before = await measure();
  const [loaded, load] = await Promise.all([
    measure(),
    runLoad({ url, connections: other.connections, steps: other.steps, duration: options.durationSeconds, overallRate: other.overallRate }),
  ]);
  const after = await measure();
  const aloneRps = (before.rps + after.rps) / 2;
  return { aloneRps, loadedRps: loaded.rps, ratio: loaded.rps / aloneRps, other: overWindow(load, options.durationSeconds) };
}

/**
 * Tenant A at `offeredRps` (≥ 10× its limit of `limitRps`, whose 429s cost the app some CPU) while tenant B,
 * unlimited, is measured in a closed loop; B alone brackets it. One app process, the production build.
 */
export async function measureNoisyNeighbour(
  entry: string,
  env: Record<string, string>,
  options: ScenarioOptions,
  keys: { noisy: string; quiet: string },
  limitRps: number,
  offeredRps: number,
): Promise<NoisyNeighbourResult> {
  const app = await startAppProcess(entry, env, options.nodeArgs);
  try {
    options.log(`noisy neighbour: tenant A at ${offeredRps} req/s (limit ${limitRps}/s), tenant B measured…`);
    const result = await alongside(app.url, options, listTargetsSteps([keys.quiet]), {
      steps: listTargetsSteps([keys.noisy]),
      connections: 8,
      overallRate: offeredRps,
    });
    return { ...result, limitRps, offeredRps };
  } finally {
    await app.stop();
  }
}

/** `tnt_<keyId>_<random secret><checksum>`: well-formed keys of the victim's key id with wrong secrets. */
function forgedKeys(keyId: string, count: number): string[] {
  return Array.from({ length: count }, () => {
    const body = `${API_KEY_PREFIX}${keyId}_${toBase62(randomBytes(32), 43)}`;
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.from(body, 'ascii')));
    return body + toBase62(crc, 6);
  });
}

/**
 * `count` client addresses of 198.18.0.0/15 (RFC 2544's benchmarking range). They are only values of the
 * X-Forwarded-For header, which the app believes because it runs with TRUST_PROXY=loopback (the load comes
 * from loopback, as from a proxy); no packet goes to them.
 */
function clientAddress(i: number): string {
  return `198.${18 + ((i >> 16) & 1)}.${(i >> 8) & 255}.${i & 255}`;
}

async function pbkdf2Count(url: string, adminKey: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers: { 'x-admin-key': adminKey } })).text();
  const match = /^tenantry_auth_pbkdf2_total (\d+)/m.exec(text);
  if (!match) throw new Error('GET /metrics has no tenantry_auth_pbkdf2_total');
  return Number(match[1]);
}

/**
 * About `offeredRps` requests a second with well-formed keys of the victim's key id and wrong secrets, each
 * from the next of `addresses` client addresses (so no client reaches AUTH_FAILURE_LIMIT and every attempt
 * reaches the key lookup), while the victim's valid key is measured in a closed loop.
 */
export async function measureBadKeyFlood(
  entry: string,
  env: Record<string, string>,
  options: ScenarioOptions,
  victimKey: string,
  offeredRps: number,
  settings: { adminKey: string; failureLimit: number; failureWindowSeconds: number },
): Promise<BadKeyFloodResult> {
  const addresses = 65_536;
  const keyId = victimKey.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + 12);
  const forged = forgedKeys(keyId, 4096);
  let sent = 0;
  const flood: LoadStep[] = [
    {
      method: 'GET',
      path: LIST_PATH,
      setupRequest: (request) => {
        const i = sent++;
        return { ...request, headers: { ...request.headers, 'x-api-key': forged[i % forged.length], 'x-forwarded-for': clientAddress(i % addresses) } };
      },
    },
  ];
  const app = await startAppProcess(entry, { ...env, TRUST_PROXY: 'loopback', ADMIN_API_KEY: settings.adminKey }, options.nodeArgs);
  try {
    options.log(`bad-key flood: ${offeredRps} forged keys/s for key id ${keyId.slice(0, 4)}… from ${addresses} addresses, victim measured…`);
    // The victim's own key is proven (its one derivation) before the count starts.
    const proven = await fetch(`${app.url}${LIST_PATH}`, { headers: { 'x-api-key': victimKey } });
    if (proven.status !== 200) throw new Error(`the victim's key answered ${proven.status}`);
    const derivationsBefore = await pbkdf2Count(app.url, settings.adminKey);
    // Enough connections that the flood's rate, not its latency, sets what it sends.
    const floodLoad: OtherLoad = { steps: flood, connections: 100, overallRate: offeredRps };
    const result = await alongside(app.url, options, listTargetsSteps([victimKey]), floodLoad);
    const derivations = (await pbkdf2Count(app.url, settings.adminKey)) - derivationsBefore;
    // The flood on its own: its cost per forged key, in the app and in PostgreSQL.
    const postgres = await PostgresCpu.open(env.DATABASE_URL);
    const [appBefore, postgresBefore] = [app.cpuMs(), postgres?.ms() ?? NaN];
    const alone = overWindow(await runLoad({ url: app.url, ...floodLoad, duration: options.durationSeconds }), options.durationSeconds);
    const floodAlone: FloodCost = {
      rps: alone.rps,
      appCpuMsPerRequest: (app.cpuMs() - appBefore) / alone.requests,
      postgresCpuMsPerRequest: postgres ? (postgres.ms() - postgresBefore) / alone.requests : null,
    };
    // Then the victim at half what it managed alone at saturation: a tenant's real traffic, not all the CPU there is.
    const rate = Math.max(1, Math.round(result.aloneRps / 2));
    options.log(`bad-key flood: victim at a fixed ${rate} req/s, alone and under the flood…`);
    const fixedRate = await atFixedRate(app.url, options, listTargetsSteps([victimKey]), rate, floodLoad);
    return {
      ...result,
      floodAlone,
      fixedRate,
      offeredRps,
      addresses,
      // Every derivation from here on is the flood's: the victim's key stays proven (cached, or re-admitted
      // by its verified hash after the cache TTL) without one.
      pbkdf2PerSecond: derivations / result.other.seconds,
      budgetPerSecond: settings.failureLimit / settings.failureWindowSeconds,
    };
  } finally {
    await app.stop();
  }
}
