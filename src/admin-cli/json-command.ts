import { Option } from 'nest-commander';
import { CliCommand } from './cli-command';

/** A command that prints data: `--json` is declared here once for all of them. */
export abstract class JsonCommand extends CliCommand {
  @Option({ flags: '--json', description: 'print JSON (a key shown once is included)' })
  parseJson(): boolean {
    return true;
  }
}
