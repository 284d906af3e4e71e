import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ADMIN_KEY_SCHEME, TENANTS_ADMIN_TAG } from './admin/tenants-admin.controller';
import { OPERATIONS_TAG } from './ops/operations-tag';
import { applyHttpConventions } from './http/openapi-conventions';
import { JOB_LOGS_TAG } from './jobs/job-logs.controller';
import { JOB_WORKER_TAG } from './jobs/job-worker.controller';
import { JOBS_TAG } from './jobs/jobs.controller';
import { SCHEDULES_TAG } from './schedules/schedules.controller';
import { SESSIONS_TAG } from './sessions/sessions.controller';
import { TARGETS_TAG } from './targets/targets.controller';
import { TENANT_KEY_SCHEME } from './tenancy/auth/tenant-route.decorator';
import { TENANT_INFO_TAG } from './tenancy/tenant-info.controller';

/** Every tag an operation uses, with its description (the lint of the committed document checks both). */
const TAGS = [TENANT_INFO_TAG, TARGETS_TAG, SESSIONS_TAG, JOBS_TAG, JOB_WORKER_TAG, JOB_LOGS_TAG, SCHEDULES_TAG, TENANTS_ADMIN_TAG, OPERATIONS_TAG];

const DESCRIPTION = `Schema-per-tenant backend: each tenant's targets, sessions, jobs and job logs live in its own PostgreSQL schema.

- **Tenant routes** take the tenant's key in \`X-API-Key\` (\`tnt_<keyId>_<secret>\`); **operator routes** (\`/tenants\`)
  take \`X-Admin-Key\` and exist only when the server has \`ADMIN_API_KEY\` set.
- **Errors** have one shape, \`{ statusCode, error, message, requestId }\`; \`message\` lists every validation problem.
  Unknown body fields and unknown query parameters are refused with \`400\`. Text fields refuse NUL characters (\`\\u0000\`).
- **Ids** are UUIDs made by the server; an id of another tenant is a \`404\`, like one that does not exist.
- **Timestamps** are ISO 8601 in UTC in answers; in requests they carry an offset (\`Z\` or \`±hh:mm\`).
- **Lists** take \`limit\` (1–100, default 50) and \`cursor\`, the \`nextCursor\` of the previous page, and answer
  \`{ items, nextCursor }\`; \`nextCursor\` is \`null\` on the last page. Lists are newest first unless said otherwise.
- Every answer carries \`X-Request-Id\`.`;

/** The OpenAPI document of the app, as served at /docs-json and committed as openapi.json (`npm run openapi`). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Tenantry API')
    .setDescription(DESCRIPTION)
    .setVersion('1.0')
    .addServer('/', 'The server that serves this document')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'Tenant API key (`tnt_…`)' }, TENANT_KEY_SCHEME)
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-Admin-Key', description: 'Operator key (the `ADMIN_API_KEY` of the server)' },
      ADMIN_KEY_SCHEME,
    );
  for (const tag of TAGS) builder.addTag(tag.name, tag.description);
  return applyHttpConventions(SwaggerModule.createDocument(app, builder.build()));
}
