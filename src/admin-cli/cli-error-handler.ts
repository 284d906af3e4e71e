import { DomainError } from '../common/domain-errors';
import { COMMIT_UNCONFIRMED_MESSAGE, connectionFailure, isCommitUnconfirmed, postgresError, UNDEFINED_TABLE } from '../database/postgres-errors';
import { terminalText } from './format';

/** The CLI's exit codes (README, "The CLI"): scripts tell a command line to fix from an operation that failed. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/**
 * Commander's own exits carry a `commander.*` code, and commander has printed them already: --help and --version
 * exit 0, anything else is a usage error (unknown option or command, missing or extra argument…), exit 2 where
 * commander says 1.
 */
export function commanderExitCode(error: unknown): number | undefined {
  const commander = error as { code?: unknown; exitCode?: number } | undefined;
  if (typeof commander?.code !== 'string' || !commander.code.startsWith('commander.')) return undefined;
  return commander.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
}

/**
 * nest-commander's serviceErrorHandler, and the CLI's last resort: a failed command prints one line to stderr
 * and exits non-zero (EXIT_USAGE for bad input, EXIT_FAILED otherwise). Commander's exits keep commanderExitCode.
 */
export function handleCommandError(error: unknown): void {
  const commanderExit = commanderExitCode(error);
  if (commanderExit !== undefined) {
    process.exitCode = commanderExit;
    return;
  }
  const unreachable = connectionFailure(error);
  if (unreachable !== null) {
    const failure = isCommitUnconfirmed(error) ? COMMIT_UNCONFIRMED_MESSAGE : 'the database connection failed';
    process.stderr.write(`error: ${failure}: ${unreachable}\n`);
    process.exitCode = EXIT_FAILED;
    return;
  }
  const pg = postgresError(error);
  if (pg.code === UNDEFINED_TABLE && /"shared\./.test(pg.message ?? '')) {
    process.stderr.write('error: the database has no tenant registry yet: run `init-db` (or start the server) first\n');
    process.exitCode = EXIT_FAILED;
    return;
  }
  const known = error instanceof DomainError || (error instanceof Error && error.name === 'MigrationsFailedError');
  const message = error instanceof Error ? (known ? error.message : (error.stack ?? error.message)) : String(error);
  // A message may quote a value from an archive or the database (`invalid input syntax for type uuid: "…"`).
  process.stderr.write(`error: ${terminalText(message, true)}\n`);
  process.exitCode = error instanceof DomainError && (error.kind === 'invalid' || error.kind === 'unprocessable') ? EXIT_USAGE : EXIT_FAILED;
}
