import type { Command, Option } from 'commander';
import { CommandRunner } from 'nest-commander';

/**
 * Every CLI command, about commander's handling of its command line:
 * - a word more than its arguments is a usage error (`too many arguments for 'show'`), where commander would drop
 *   it without a word (`delete acme purge --yes` would soft-delete, `create Acme acme corp` create "Acme"). A
 *   command whose metadata sets `allowExcessArgs` still takes them (nest-commander applies it after this);
 * - an option taking a value, given twice, is a usage error naming it, where commander would keep the last
 *   (`export acme -o a.gz -o b.gz` wrote b.gz, `import f --slug one --slug two` created "two"); the options of
 *   `repeatableOptions` gather every value instead (`migrate --tenant a --tenant b`). A flag may be repeated;
 * - two options of `conflictingOptions` together are a usage error naming both (commander's `.conflicts()`, which
 *   nest-commander's @Option does not expose): `migrate --check --dry-run` ran the check alone;
 * - a usage error or `--help` throws (a CommanderError, which the CLI's error handler turns into the exit code)
 *   instead of commander's `process.exit`: nest-commander overrides the exit of the root command only, and an exit
 *   from a command of its own left an embedded PostgreSQL the CLI had started running.
 */
export abstract class CliCommand extends CommandRunner {
  /** Options (their attribute names) whose parser gathers every value given: `--tenant a --tenant b`. */
  protected readonly repeatableOptions: readonly string[] = [];
  /** Pairs of options (attribute names) that contradict each other: `['check', 'dryRun']`. */
  protected readonly conflictingOptions: ReadonlyArray<readonly [string, string]> = [];
  /** False for a command whose run() needs no database (it only names a usage error): it runs before one is connected. */
  readonly usesDatabase: boolean = true;

  override setCommand(command: Command): this {
    command.allowExcessArguments(false).exitOverride((error) => {
      throw error;
    });
    // nest-commander adds the command's options after this call, each through addOption.
    const addOption = command.addOption.bind(command);
    command.addOption = (option: Option) => {
      if (!option.isBoolean() && !this.repeatableOptions.includes(option.attributeName())) {
        // Registered before commander's own listener, so it sees the value source of the occurrences before.
        command.on(`option:${option.name()}`, () => {
          if (command.getOptionValueSource(option.attributeName()) === 'cli') {
            command.error(`error: option '${option.flags}' can be given only once`, { code: 'commander.optionRepeated' });
          }
        });
      }
      for (const [one, other] of this.conflictingOptions) if (option.attributeName() === one) option.conflicts(other);
      return addOption(option);
    };
    return super.setCommand(command);
  }
}
