import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/**
 * How long a suite's setup may take when it builds dist/ first: a build takes ~15 s on a quiet machine of two
 * cores and several times that beside another jest worker, and waits for a build another suite started
 * (scripts/build-if-stale.js holds a lock), so jest's 30 s would fail the suite on a busy machine.
 */
export const BUILD_TIMEOUT_MS = 180_000;

/** Brings dist/ up to date for suites that run the built server or CLI (a no-op when it is fresh). */
export function buildIfStale(): void {
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build-if-stale.js')], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
}
