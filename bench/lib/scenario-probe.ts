import { Client } from 'pg';
import type { AppProcess } from './app-process';

export interface ProbeReading {
  /** Most backends on the benchmark database at once, the probe's own connection excluded. */
  peakConnections: number;
  /** Largest VmRSS sampled, and the kernel's VmHWM at the end, in MiB. */
  peakRssMiB: number;
  hwmMiB: number;
}

/**
 * Samples PostgreSQL connections on the benchmark database and the app's RSS every `intervalMs`
 * while a scenario runs.
 */
export class ScenarioProbe {
  private timer?: NodeJS.Timeout;
  private peakConnections = 0;
  private peakRssMiB = 0;
  private inFlight?: Promise<void>;

  private constructor(
    private readonly client: Client,
    private readonly app: AppProcess,
  ) {}

  static async start(databaseUrl: string, app: AppProcess, intervalMs = 100): Promise<ScenarioProbe> {
    const client = new Client({ connectionString: databaseUrl, application_name: 'tenantry-bench-probe' });
    // Dropping the database at the end of a failed run ends this connection: that must not hide the failure.
    client.on('error', () => undefined);
    await client.connect();
    const probe = new ScenarioProbe(client, app);
    await probe.sample();
    probe.timer = setInterval(() => void probe.sample().catch(() => undefined), intervalMs);
    return probe;
  }

  async stop(): Promise<ProbeReading> {
    clearInterval(this.timer);
    await this.inFlight?.catch(() => undefined);
    await this.sample();
    await this.client.end();
    return { peakConnections: this.peakConnections, peakRssMiB: this.peakRssMiB, hwmMiB: this.app.memory().hwmMiB };
  }

  private sample(): Promise<void> {
    this.inFlight ??= this.poll().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async poll(): Promise<void> {
    this.peakRssMiB = Math.max(this.peakRssMiB, this.app.memory().rssMiB);
    // Client backends only: autovacuum workers also carry the database's name while they vacuum it.
    const { rows } = await this.client.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`,
    );
    this.peakConnections = Math.max(this.peakConnections, rows[0].n - 1);
  }
}
