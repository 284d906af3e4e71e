import { DomainError } from '../common/domain-errors';
import { connectionFailure, postgresError, UNDEFINED_TABLE } from '../database/postgres-errors';
import { terminalText } from './format';

/** Commander's own exits (usage errors, --help, --version) carry a `commander.*` code; it has printed them already. */
export function commanderExitCode(error: unknown): number | undefined {
  const commander = error as { code?: unknown; exitCode?: number } | undefined;
  return typeof commander?.code === 'string' && commander.code.startsWith('commander.') ? (commander.exitCode ?? 1) : undefined;
}

/**
 * nest-commander's serviceErrorHandler, and the CLI's last resort: a failed command prints one line to stderr
 * and exits non-zero (2 for bad input, 1 otherwise). Usage errors from commander keep their exit code.
 */
export function handleCommandError(error: unknown): void {
  const commanderExit = commanderExitCode(error);
  if (commanderExit !== undefined) {
    process.exitCode = commanderExit;
    return;
  }
  const unreachable = connectionFailure(error);
  if (unreachable !== null) {
    process.stderr.write(`error: the database connection failed: ${unreachable}\n`);
    process.exitCode = 1;
    return;
  }
  const pg = postgresError(error);
  if (pg.code === UNDEFINED_TABLE && /"shared\./.test(pg.message ?? '')) {
    process.stderr.write('error: the database has no tenant registry yet: run `init-db` (or start the server) first\n');
    process.exitCode = 1;
    return;
  }
  const known = error instanceof DomainError || (error instanceof Error && error.name === 'MigrationsFailedError');
  const message = error instanceof Error ? (known ? error.message : (error.stack ?? error.message)) : String(error);
  // A message may quote a value from an archive or the database (`invalid input syntax for type uuid: "…"`).
  process.stderr.write(`error: ${terminalText(message, true)}\n`);
  process.exitCode = error instanceof DomainError && (error.kind === 'invalid' || error.kind === 'unprocessable') ? 2 : 1;
}
