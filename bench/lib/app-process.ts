import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort } from './bench-database';

export interface AppProcess {
  pid: number;
  url: string;
  /** VmRSS and VmHWM (peak RSS over the process's life) from /proc, in MiB. */
  memory(): { rssMiB: number; hwmMiB: number };
  /** User + system CPU the process has used so far (all its threads), in ms. */
  cpuMs(): number;
  /** SIGTERM (the app's own shutdown path), SIGKILL after 15 s. */
  stop(): Promise<void>;
}

function readStatusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

// utime and stime are fields 14 and 15 of /proc/<pid>/stat, in clock ticks (USER_HZ, 100 on Linux).
function readCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts `node <entry>` (the production build) on a free loopback port and waits until GET /health answers. */
export async function startAppProcess(entry: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      output.push(chunk);
      if (output.length > 50) output.shift();
    });
  }
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with code ${child.exitCode}:\n${output.join('')}`);
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${entry} did not answer /health within 60 s:\n${output.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pid = child.pid!;
  return {
    pid,
    url,
    memory: () => ({ rssMiB: readStatusMiB(pid, 'VmRSS'), hwmMiB: readStatusMiB(pid, 'VmHWM') }),
    cpuMs: () => readCpuMs(pid),
    stop: async () => {
      const done = exited(child);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await done;
      clearTimeout(timer);
    },
  };
}
