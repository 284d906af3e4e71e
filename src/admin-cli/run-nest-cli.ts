import type { DynamicModule } from '@nestjs/common';
import { CommandFactory, CommandRunnerService } from 'nest-commander';
import type { EnvironmentVariables } from '../config/environment-variables';
import { handleCommandError } from './cli-error-handler';
import { CliCommandLineModule, CliModule } from './cli.module';

/** The program's name in usage lines and help: the command users install (package.json `bin`). */
export const CLI_NAME = 'tenantry';

/** The commands of `module` read `args` (loaded only when needed: see ledgerCheckArgs). */
async function runWith(module: DynamicModule, args: string[]): Promise<void> {
  const app = await CommandFactory.createWithoutRunning(module, {
    logger: ['error'],
    cliName: CLI_NAME,
    serviceErrorHandler: handleCommandError,
    // Throwing (instead of commander's process.exit) lets the caller stop an embedded database it started.
    errorHandler: (error) => {
      throw error;
    },
  });
  try {
    // Commander names the program after the script it is given (`dist/src/cli.js` would print "Usage: cli …").
    await app.get(CommandRunnerService).run([process.argv[0], CLI_NAME, ...args]);
  } finally {
    await app.close();
  }
}

/**
 * Reads the command line with the command tree alone (CliCommandLineModule), before any database is connected or
 * started: --help and usage errors are printed here and set their exit code. True when the line names a command
 * to run, for runNestCli.
 */
export async function parseCommandLine(args: string[]): Promise<boolean> {
  let runs = false;
  await runWith(CliCommandLineModule.register(() => (runs = true)), args);
  return runs;
}

/** Every command through nest-commander, with the database behind it. */
export async function runNestCli(config: EnvironmentVariables, databaseUrl: string, args: string[]): Promise<void> {
  await runWith(CliModule.register({ config, databaseUrl }), args);
}
