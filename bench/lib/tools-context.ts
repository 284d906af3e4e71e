import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CliModule } from '../../src/admin-cli/cli.module';
import { EnvironmentVariables, validateEnvironment } from '../../src/config/environment-variables';

/** The configuration an app process would build from this environment plus `overrides`. */
export function benchConfig(databaseUrl: string, overrides: Record<string, string> = {}): EnvironmentVariables {
  return validateEnvironment({ ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', ...overrides });
}

/** The CLI's module (the same services the HTTP API uses) as an in-process application context. */
export async function openToolsContext(databaseUrl: string, overrides: Record<string, string> = {}): Promise<INestApplicationContext> {
  const config = benchConfig(databaseUrl, overrides);
  const app = await NestFactory.createApplicationContext(CliModule.register({ config, databaseUrl }), { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  return app;
}
