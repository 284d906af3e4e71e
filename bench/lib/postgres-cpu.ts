import { readdirSync, readFileSync } from 'node:fs';
import { Client } from 'pg';

/** Fields of /proc/<pid>/stat after the command name: [0] state, [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // exited meanwhile
  }
}

/**
 * CPU time (user + system, ms) of one PostgreSQL server: its postmaster (with the backends it has reaped)
 * and every live child. Readable only when the server runs on this machine (the embedded one), else null.
 */
export class PostgresCpu {
  private constructor(private readonly postmaster: number) {}

  static async open(databaseUrl: string): Promise<PostgresCpu | null> {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS "pid"');
      const fields = statFields(rows[0].pid);
      return fields ? new PostgresCpu(Number(fields[1])) : null;
    } finally {
      await client.end();
    }
  }

  ms(): number {
    return this.read(false).ms;
  }

  /**
   * The server's CPU time, as `ms()`, and with `byRole` the live children's part of it by role, from each
   * process title: "backend" for client connections, else the title's first word ("autovacuum",
   * "checkpointer", "walwriter", …). Exited children are only in the total. One pass over /proc.
   */
  read(byRole = true): { ms: number; byRole: Map<string, number> } {
    const roles = new Map<string, number>();
    const own = statFields(this.postmaster);
    if (!own) return { ms: NaN, byRole: roles };
    let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const fields = statFields(Number(entry));
      if (!fields || Number(fields[1]) !== this.postmaster) continue;
      const childTicks = Number(fields[11]) + Number(fields[12]);
      ticks += childTicks;
      if (byRole) {
        const role = processRole(Number(entry));
        roles.set(role, (roles.get(role) ?? 0) + childTicks * 10);
      }
    }
    return { ms: ticks * 10, byRole: roles }; // USER_HZ = 100
  }
}

/** "postgres: autovacuum worker" → "autovacuum"; a client backend ("postgres: user db host(port) state") → "backend". */
function processRole(pid: number): string {
  let title: string;
  try {
    title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return 'exited';
  }
  const words = title.replace(/^postgres:\s*/, '').split(/\s+/);
  const known = ['io', 'autovacuum', 'checkpointer', 'background', 'walwriter', 'logical', 'archiver', 'startup', 'walsender', 'parallel'];
  return known.includes(words[0]) ? words[0] : 'backend';
}

/** `after − before` per role, roles that used no CPU left out, as "backend 4100 ms, autovacuum 900 ms". */
export function describeRoleMs(before: Map<string, number>, after: Map<string, number>): string {
  const parts: string[] = [];
  for (const [role, ms] of after) {
    const used = ms - (before.get(role) ?? 0);
    if (used > 0) parts.push(`${role} ${used.toFixed(0)} ms`);
  }
  return parts.join(', ');
}
