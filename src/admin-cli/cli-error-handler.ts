import { DomainError } from '../common/domain-errors';

/**
 * nest-commander's serviceErrorHandler: a failed command prints one line to stderr and exits non-zero
 * (2 for bad input, 1 otherwise). Usage errors from commander were already printed; keep their exit code.
 */
export function handleCommandError(error: Error): void {
  const commander = error as Error & { code?: string; exitCode?: number };
  if (commander.code?.startsWith('commander.')) {
    process.exitCode = commander.exitCode ?? 1;
    return;
  }
  const known = error instanceof DomainError || error.name === 'MigrationsFailedError';
  process.stderr.write(`error: ${known ? error.message : (error.stack ?? error.message)}\n`);
  process.exitCode = error instanceof DomainError && error.kind === 'invalid' ? 2 : 1;
}
