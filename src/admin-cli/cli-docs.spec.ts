import 'reflect-metadata';
import { readFileSync } from 'fs';
import { join } from 'path';
import { CommandMeta, OptionMeta, SubCommandMeta } from 'nest-commander/src/constants';
import { COMMANDS } from './cli.module';

interface CommandInfo {
  name: string;
  subCommands?: Array<(typeof COMMANDS)[number]>;
}

/**
 * Every command line of the CLI (`keys create`, not `keys`) with its options, each as its forms (`-o`, `--output`),
 * from nest-commander's metadata.
 */
function commandLines(): Map<string, string[][]> {
  const lines = new Map<string, string[][]>();
  const infoOf = (command: (typeof COMMANDS)[number]): CommandInfo =>
    Reflect.getMetadata(CommandMeta, command) ?? Reflect.getMetadata(SubCommandMeta, command);
  const flagsOf = (command: (typeof COMMANDS)[number]): string[][] => {
    const flags: string[][] = [];
    for (let proto = command.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
      for (const key of Object.getOwnPropertyNames(proto)) {
        const option: { flags: string } | undefined = Reflect.getMetadata(OptionMeta, Object.getOwnPropertyDescriptor(proto, key)?.value ?? {});
        if (option) flags.push(option.flags.match(/--?[a-z][a-z-]*/g) ?? []);
      }
    }
    return flags;
  };
  const subCommands = new Set(COMMANDS.flatMap((command) => infoOf(command).subCommands ?? []));
  for (const command of COMMANDS) {
    const info = infoOf(command);
    if (subCommands.has(command)) continue;
    if (info.subCommands?.length) {
      for (const sub of info.subCommands) lines.set(`${info.name} ${infoOf(sub).name}`, flagsOf(sub));
    } else lines.set(info.name, flagsOf(command));
  }
  return lines;
}

/** The first cell of each row of README's CLI table: `create <name> <slug> [--from T]` → its words. */
function readmeRows(): Map<string, string> {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## The CLI'), readme.indexOf('\n## ', readme.indexOf('## The CLI') + 1));
  const rows = new Map<string, string>();
  for (const [, cell] of table.matchAll(/^\| `([^`]+)` \|/gm)) {
    const name = cell.match(/^[a-z-]+( [a-z-]+(?= <))?/)![0];
    rows.set(name, cell);
  }
  return rows;
}

describe("README's CLI table matches the commands", () => {
  const lines = commandLines();
  const rows = readmeRows();

  it('has one row per command, and none for a command that does not exist', () => {
    expect([...rows.keys()].sort()).toEqual([...lines.keys()].sort());
  });

  it.each([...lines.keys()])('%s: the row names every option of the command (in one of its forms), and no other', (name) => {
    const written = new Set(rows.get(name)?.match(/(?<![\w-])--?[a-z][a-z-]*/g) ?? []);
    const options = lines.get(name)!.filter((forms) => !forms.includes('--json'));
    const missing = options.filter((forms) => !forms.some((form) => written.has(form))).map((forms) => forms.join(', '));
    const unknown = [...written].filter((flag) => !options.some((forms) => forms.includes(flag)));
    expect({ name, missing, unknown }).toEqual({ name, missing: [], unknown: [] });
  });
});
