/**
 * Where commands print. Data goes to stdout (JSON with --json), problems to stderr. A provider so tests can
 * read it; no Nest import (it needs none), so the CLI's fast path can use it without loading the framework.
 */
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

  /** Where a progress bar is drawn when it is a terminal (stderr, so stdout stays data); plain lines otherwise. */
  get progressStream(): NodeJS.WritableStream & { isTTY?: boolean } {
    return process.stderr;
  }
}
