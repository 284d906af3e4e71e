import { CommandFactory, CommandRunnerService } from 'nest-commander';
import type { EnvironmentVariables } from '../config/environment-variables';
import { handleCommandError } from './cli-error-handler';
import { CliModule } from './cli.module';

/** The program's name in usage lines and help: the command users install (package.json `bin`). */
export const CLI_NAME = 'tenantry';

/** Every command through nest-commander (loaded only when needed: see ledgerCheckArgs). */
export async function runNestCli(config: EnvironmentVariables, databaseUrl: string): Promise<void> {
  const app = await CommandFactory.createWithoutRunning(CliModule.register({ config, databaseUrl }), {
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
    await app.get(CommandRunnerService).run([process.argv[0], CLI_NAME, ...process.argv.slice(2)]);
  } finally {
    await app.close();
  }
}
