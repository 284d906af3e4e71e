import { CommandRunner, Option } from 'nest-commander';

/** A command that prints data: `--json` is declared here once for all of them. */
export abstract class JsonCommand extends CommandRunner {
  @Option({ flags: '--json', description: 'print JSON (a key shown once is included)' })
  parseJson(): boolean {
    return true;
  }
}
