#!/usr/bin/env node
import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { handleCommandError } from './admin-cli/cli-error-handler';
import { CliModule } from './admin-cli/cli.module';
import { ConfigValidationError } from './config/environment-variables';
import { loadConfig } from './config/load-config';
import { connectDatabase, DatabaseConnection } from './database/database-connection';

async function main(): Promise<void> {
  const config = loadConfig();
  let database: DatabaseConnection | undefined;
  try {
    // Joins the embedded PostgreSQL the server runs, or starts it for this command and stops it after.
    database = await connectDatabase(config, () => undefined);
    await CommandFactory.run(CliModule.register({ config, databaseUrl: database.url }), {
      logger: ['error'],
      cliName: 'tenantry',
      serviceErrorHandler: handleCommandError,
      // Throwing (instead of commander's process.exit) lets `finally` stop an embedded database we started.
      errorHandler: (error) => {
        throw error;
      },
    });
  } finally {
    await database?.close();
  }
}

main().catch((error: unknown) => {
  const commanderExit = (error as { exitCode?: number; code?: string }).code?.startsWith('commander.');
  if (commanderExit) {
    // Usage errors and --help: commander has already printed its message.
    process.exitCode = (error as { exitCode: number }).exitCode;
    return;
  }
  process.stderr.write(`error: ${error instanceof ConfigValidationError || error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
