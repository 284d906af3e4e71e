import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const MARK = 'TENANTRY_BENCH_SNAPSHOT';

/**
 * `nest build` rewrites dist/ in place; a rebuild during a benchmark would pull the app out from under it.
 * So the benchmark re-runs itself (and starts its app processes) from a private copy of dist/ with a
 * node_modules link. Returns true in the launcher, which must then do nothing else.
 */
export function relaunchFromSnapshot(entryFile: string): boolean {
  if (process.env[MARK]) return false;
  const distRoot = path.resolve(__dirname, '..', '..');
  const projectRoot = path.dirname(distRoot);
  const copy = mkdtempSync(path.join(tmpdir(), 'tenantry-bench-dist-'));
  cpSync(distRoot, path.join(copy, 'dist'), { recursive: true });
  symlinkSync(path.join(projectRoot, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  const entry = path.join(copy, 'dist', path.relative(distRoot, entryFile));
  const child = spawn(process.execPath, [...process.execArgv, entry, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, [MARK]: copy },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    rmSync(copy, { recursive: true, force: true });
    process.exitCode = code ?? (signal ? 1 : 0);
  });
  return true;
}
