import { DataSource } from 'typeorm';
import { validateEnvironment } from '../../src/config/environment-variables';
import { sharedDataSourceOptions } from '../../src/database/data-source-options';
import { SHARED_ENTITIES } from '../../src/entities';
import { SharedMigrationsService } from '../../src/database/migrations/shared-migrations.service';

/**
 * Prepares the template database that every test database is cloned from; runs once per jest
 * run, from test/global-setup.ts: the `shared` schema at its latest migration, no tenants
 * (tenant schemas are created, and migrated, by each test through the real service).
 */
export async function prepareTemplateDatabase(url: string): Promise<void> {
  const config = validateEnvironment({ ...process.env, DATABASE_URL: url });
  const dataSource = await new DataSource(sharedDataSourceOptions(config, url, SHARED_ENTITIES)).initialize();
  try {
    await new SharedMigrationsService(dataSource).migrate();
  } finally {
    await dataSource.destroy();
  }
}
