import { Injectable } from '@nestjs/common';

/** Where commands print. Data goes to stdout (JSON with --json), problems to stderr. Injectable so tests can read it. */
@Injectable()
export class CliOutput {
  print(text: string): void {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  json(value: unknown): void {
    this.print(JSON.stringify(value, null, 2));
  }

  error(text: string): void {
    process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  get isTerminal(): boolean {
    return Boolean(process.stdout.isTTY);
  }
}
