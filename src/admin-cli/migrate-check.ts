import { Client } from 'pg';
import type { EnvironmentVariables } from '../config/environment-variables';
import { CheckReport, checkLedger } from '../database/migrations/ledger-check';
import { CliOutput } from './cli-output.service';

/** A `migrate` run that found schemas behind or failed: exit 1 with this one line (handleCommandError). */
export class MigrationsFailedError extends Error {
  override name = 'MigrationsFailedError';
}

type Output = Pick<CliOutput, 'print' | 'json'>;

/**
 * `migrate --check` [`--json`], with nothing else on the command line, is answered without starting Nest or
 * TypeORM (src/cli.ts): it is one query, and loading the framework took three quarters of its second.
 * Anything else — other options, --help, typos — goes to nest-commander, which owns usage and errors.
 */
export function ledgerCheckArgs(args: string[]): { json: boolean } | undefined {
  const [command, ...options] = args;
  if (command !== 'migrate' || !options.includes('--check')) return undefined;
  if (!options.every((option) => option === '--check' || option === '--json')) return undefined;
  return { json: options.includes('--json') };
}

/**
 * Prints a check report (the same text and JSON from `MigrateCommand` and the fast path) and fails on problems.
 * `selected`: the report covers the schemas of `--tenant` only, not the whole ledger.
 */
export function printCheckReport(report: CheckReport, json: boolean, out: Output, selected = false): void {
  if (json) out.json(report);
  else {
    const covered = selected ? `${report.total} selected schema(s) checked` : `${report.total} schema(s) in the ledger`;
    out.print(`Latest tenant migration: ${report.latestVersion ?? '(none)'}; ${covered}.`);
    if (report.sharedPending.length) out.print(`Shared migrations pending: ${report.sharedPending.join(', ')}`);
    for (const row of report.behind) out.print(`behind  ${row.schemaName} (at ${row.version ?? 'nothing'})`);
    for (const row of report.failed) out.print(`failed  ${row.schemaName}: ${row.error ?? ''}`);
    if (!report.behind.length && !report.failed.length && !report.sharedPending.length) out.print('All schemas are up to date.');
  }
  const problems = report.behind.length + report.failed.length + report.sharedPending.length;
  if (problems > 0) throw new MigrationsFailedError(`${problems} schema(s) behind or failed`);
}

/** The fast path of `migrate --check`: one `pg` connection, the ledger query, the report. */
export async function runLedgerCheck(
  config: EnvironmentVariables,
  databaseUrl: string,
  json: boolean,
  out: Output = new CliOutput(),
): Promise<void> {
  const client = new Client({
    connectionString: databaseUrl,
    application_name: `${config.INSTANCE_NAME}:cli`,
    statement_timeout: config.DB_STATEMENT_TIMEOUT_MS || undefined,
  });
  await client.connect();
  try {
    const report = await checkLedger(async (sql, params) => (await client.query(sql, params)).rows);
    printCheckReport(report, json, out);
  } finally {
    await client.end();
  }
}
