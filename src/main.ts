import 'reflect-metadata';
import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { ApiExpressAdapter } from './http/api-express-adapter';
import { configureApp } from './app.setup';
import { ConfigValidationError } from './config/environment-variables';
import { applyV8Tuning } from './config/v8-tuning';
import { loadConfig } from './config/load-config';
import { connectDatabase } from './database/database-connection';
import { SharedMigrationsService } from './database/migrations/shared-migrations.service';
import { createRootLogger } from './ops/logging/root-logger';
import { startMetricsServer } from './ops/metrics/metrics-server';
import { drainAndClose } from './ops/shutdown/graceful-shutdown';
import { SpareSchemaPoolService } from './tenancy/registry/spare-schema-pool.service';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const rootLogger = createRootLogger(config);
  const logger = rootLogger.child({ context: 'Tenantry' });
  applyV8Tuning({ heapGrowthPercent: config.HEAP_GROWTH_PERCENT, pretenuring: config.V8_PRETENURING });
  const database = await connectDatabase(config, (line) => logger.debug(line.trimEnd()));
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register({ config, databaseUrl: database.url, logger: rootLogger }),
    new ApiExpressAdapter(),
    { bodyParser: false, bufferLogs: true },
  );
  configureApp(app, config);

  const metricsServers: Server[] = [];
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: draining, then closing the tenant data sources, the pools and the database`);
    let failed = false;
    const failure = (error: Error) => {
      failed = true;
      logger.error(error.message);
    };
    await drainAndClose(app, config.SHUTDOWN_GRACE_SECONDS * 1000, logger, metricsServers).catch(failure);
    await database.close().catch(failure);
    logger.info('stopped');
    process.exit(failed ? 1 : 0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  if (config.MIGRATIONS_RUN_ON_START) await app.get(SharedMigrationsService).migrate();
  await app.listen(config.PORT, config.HOST);
  if (config.METRICS_ENABLED && config.METRICS_PORT) metricsServers.push(await startMetricsServer(config.METRICS_PORT, config.HOST));
  app.get(SpareSchemaPoolService).startBackgroundRefill();

  const base = `http://localhost:${config.PORT}`;
  logger.info(`Tenantry listening on ${base} (database: ${database.description})`);
  logger.info(`API docs: ${base}/docs (OpenAPI document: ${base}/docs-json)`);
  if (config.METRICS_ENABLED && config.METRICS_PORT) logger.info(`Metrics: http://localhost:${config.METRICS_PORT}/metrics`);
  logger.info('Create the first tenant: npm run cli -- create "Acme Corp" acme');
  if (!config.ADMIN_API_KEY) logger.info('Admin API (/tenants) is off: set ADMIN_API_KEY (32+ characters) to enable it');
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigValidationError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
