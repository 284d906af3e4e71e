import type { Command } from 'commander';
import { CommandRunner } from 'nest-commander';

/**
 * Every CLI command, about commander's handling of its command line:
 * - a word more than its arguments is a usage error (`too many arguments for 'show'`), where commander would drop
 *   it without a word (`delete acme purge --yes` would soft-delete, `create Acme acme corp` create "Acme"). A
 *   command whose metadata sets `allowExcessArgs` still takes them (nest-commander applies it after this);
 * - a usage error or `--help` throws (a CommanderError, which the CLI's error handler turns into the exit code)
 *   instead of commander's `process.exit`: nest-commander overrides the exit of the root command only, and an exit
 *   from a command of its own left an embedded PostgreSQL the CLI had started running.
 */
export abstract class CliCommand extends CommandRunner {
  override setCommand(command: Command): this {
    command.allowExcessArguments(false).exitOverride((error) => {
      throw error;
    });
    return super.setCommand(command);
  }
}
