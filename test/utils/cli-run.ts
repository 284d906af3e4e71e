import { PassThrough } from 'node:stream';
import { CommandTestFactory } from 'nest-commander-testing';
import { handleCommandError } from '../../src/admin-cli/cli-error-handler';
import { CliOutput } from '../../src/admin-cli/cli-output.service';
import { CliModule } from '../../src/admin-cli/cli.module';
import type { TestApp } from './test-app';

export interface CliRun {
  stdout: string;
  stderr: string;
  exitCode: number;
}

type ProgressStream = CliOutput['progressStream'];

/** Runs `work` with a CliOutput and stderr that capture everything, and returns the output and exit code. */
export async function captureCli(
  work: (capture: CliOutput) => Promise<void>,
  progressStream: ProgressStream = Object.assign(new PassThrough(), { isTTY: false }),
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const capture = {
    print: (text: string) => void out.push(text),
    json: (value: unknown) => void out.push(JSON.stringify(value)),
    error: (text: string) => void err.push(text),
    progressStream,
  } as CliOutput;
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
  const previousExitCode = process.exitCode;
  process.exitCode = 0;
  try {
    await work(capture);
    return { stdout: out.join('\n'), stderr: err.join(''), exitCode: Number(process.exitCode ?? 0) };
  } finally {
    process.exitCode = previousExitCode;
    stderr.mockRestore();
  }
}

/** One admin CLI command through nest-commander with the real CLI module, writing to `capture`. */
export function cliCommand(t: TestApp, args: string[]): (capture: CliOutput) => Promise<void> {
  return async (capture) => {
    const command = await CommandTestFactory.createTestingCommand(
      { imports: [CliModule.register({ config: t.config, databaseUrl: t.databaseUrl })] },
      {
        serviceErrorHandler: handleCommandError,
        errorHandler: (error) => {
          throw error;
        },
      },
    )
      .overrideProvider(CliOutput)
      .useValue(capture)
      .compile();
    await CommandTestFactory.run(command, args);
  };
}

/** Runs one admin CLI command, capturing output and exit code. */
export function runCli(t: TestApp, ...args: string[]): Promise<CliRun> {
  return captureCli(cliCommand(t, args));
}
