import { CommandFactory } from 'nest-commander';
import type { EnvironmentVariables } from '../config/environment-variables';
import { handleCommandError } from './cli-error-handler';
import { CliModule } from './cli.module';

/** Every command through nest-commander (loaded only when needed: see ledgerCheckArgs). */
export async function runNestCli(config: EnvironmentVariables, databaseUrl: string): Promise<void> {
  await CommandFactory.run(CliModule.register({ config, databaseUrl }), {
    logger: ['error'],
    cliName: 'tenantry',
    serviceErrorHandler: handleCommandError,
    // Throwing (instead of commander's process.exit) lets the caller stop an embedded database it started.
    errorHandler: (error) => {
      throw error;
    },
  });
}
