import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../src/app.module';
import { buildOpenApiDocument } from '../src/app.openapi';
import { validateEnvironment } from '../src/config/environment-variables';

/** The committed document at the repository root, compared with the served one by the test suite. */
export const OPENAPI_FILE = 'openapi.json';

/**
 * Writes the OpenAPI document of the code to openapi.json. Preview mode scans the modules without
 * instantiating providers, so no database is needed.
 */
async function main(): Promise<void> {
  const config = validateEnvironment({});
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register({ config, databaseUrl: 'postgres://unused/openapi' }),
    { preview: true, logger: false, abortOnError: false },
  );
  const document = buildOpenApiDocument(app);
  const path = join(__dirname, '..', '..', OPENAPI_FILE);
  writeFileSync(path, `${JSON.stringify(document, null, 2)}\n`);
  console.log(`wrote ${OPENAPI_FILE} (${Object.keys(document.paths).length} paths)`);
  await app.close();
}

void main();
