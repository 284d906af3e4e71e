#!/usr/bin/env node
import 'reflect-metadata';
import { commanderExitCode, EXIT_FAILED, handleCommandError } from './admin-cli/cli-error-handler';
import { ledgerCheckArgs, runLedgerCheck } from './admin-cli/migrate-check';
import { loadConfig } from './config/load-config';
import type { EnvironmentVariables } from './config/environment-variables';
import { checkDatabaseReachable, connectDatabase } from './database/database-connection';
import { connectionFailure } from './database/postgres-errors';

// A reader that leaves early (`tenantry list | head -1`) closes stdout: what is left to print goes nowhere and the
// command ends as it would, its finally included (an embedded PostgreSQL it started is stopped), where an unhandled
// EPIPE killed the process with a stack. export still says its archive was cut (it listens on its own output).
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

async function main(): Promise<void> {
  const config = loadConfig();
  const args = process.argv.slice(2);
  const check = ledgerCheckArgs(args);
  if (check) return withDatabase(config, (url) => runLedgerCheck(config, url, check.json).catch(handleCommandError));
  // Nest, TypeORM and nest-commander load here, not for the `migrate --check` above.
  const { parseCommandLine, runNestCli } = await import('./admin-cli/run-nest-cli.js');
  // --help and usage errors are answered from the command line alone: no database connected, none started.
  if (!(await parseCommandLine(args))) return;
  await withDatabase(config, async (url) => {
    // Before Nest: an unreachable database is then one line, not the stack Nest logs when its module fails to start.
    await checkDatabaseReachable(url);
    await runNestCli(config, url, args);
  });
}

/** Joins the embedded PostgreSQL the server runs, or starts it for this command and stops it after. */
async function withDatabase(config: EnvironmentVariables, work: (databaseUrl: string) => Promise<void>): Promise<void> {
  const database = await connectDatabase(config, () => undefined);
  try {
    await work(database.url);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  // Usage errors and --help (commander has printed them) exit as commanderExitCode says; anything else is one line.
  if (commanderExitCode(error) !== undefined || connectionFailure(error) !== null) return handleCommandError(error);
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = EXIT_FAILED;
});
