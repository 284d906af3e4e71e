import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { COMMITTED_OPENAPI_PATH } from './utils/committed-openapi';

const run = promisify(execFile);
const REDOCLY = join(__dirname, '..', 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer: string }> }>;
}

describe('openapi.json under `redocly lint` (recommended rules and redocly.yaml)', () => {
  it('has no errors', async () => {
    // Offline: no telemetry, no update check (both would call out; redocly.yaml turns telemetry off too).
    const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
    const { stdout } = await run(process.execPath, [REDOCLY, 'lint', COMMITTED_OPENAPI_PATH, '--format=json'], {
      cwd: join(__dirname, '..'),
      env,
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const report = JSON.parse(stdout) as LintReport;
    const errors = report.problems
      .filter((problem) => problem.severity === 'error')
      .map((problem) => `${problem.ruleId} at ${problem.location[0]?.pointer}: ${problem.message}`);
    expect(errors).toEqual([]);
    expect(report.totals.errors).toBe(0);
  }, 90_000);
});
