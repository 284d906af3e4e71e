import { readFileSync } from 'fs';
import { join } from 'path';

/**
 * The HTTP contract (API.md) written out once, checked against the committed openapi.json, which a test keeps
 * equal to what the server serves: a route, status, body field or security scheme that drifts from the contract
 * fails here, whichever way it drifts.
 */
interface Operation {
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
  security?: Array<Record<string, unknown>>;
}
interface Schema {
  $ref?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  allOf?: Schema[];
  oneOf?: Schema[];
  items?: Schema;
}
const doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } } = JSON.parse(
  readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8'),
);
const resolve = (schema: Schema): Schema => (schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop()!] : schema);

type Who = 'admin' | 'tenant' | 'public';
/** [method and path, who calls it, the statuses API.md names, body fields (`?` = optional), list query?] */
const CONTRACT: Array<[string, Who, number[], string[]?, 'list'?]> = [
  ['POST /tenants', 'admin', [201, 409, 400], ['name', 'slug', 'cloneFrom?']],
  ['GET /tenants', 'admin', [200], undefined, 'list'],
  ['GET /tenants/{id}', 'admin', [200, 404, 400]],
  ['PUT /tenants/{id}', 'admin', [200], ['name?', 'isActive?', 'rateLimit?']],
  ['DELETE /tenants/{id}', 'admin', [200]],
  ['POST /tenants/{id}/regenerate-api-key', 'admin', [200]],
  ['POST /tenants/{id}/restore', 'admin', [200]],
  ['GET /tenants/{id}/keys', 'admin', [200], undefined, 'list'],
  ['POST /tenants/{id}/keys', 'admin', [201], ['name', 'scopes?', 'expiresAt?']],
  ['DELETE /tenants/{id}/keys/{keyId}', 'admin', [204]],
  ['POST /tenants/{id}/keys/{keyId}/rotate', 'admin', [200], ['graceSeconds?']],
  ['GET /tenants/{id}/audit', 'admin', [200], undefined, 'list'],
  ['GET /tenants/{id}/export', 'admin', [200]],
  ['POST /tenants/import', 'admin', [201, 400, 413, 422]],
  ['GET /tenant-info', 'tenant', [200, 401, 403]],
  ['POST /targets', 'tenant', [201, 409], ['name', 'kind?', 'address', 'tags?', 'metadata?']],
  ['GET /targets', 'tenant', [200], undefined, 'list'],
  ['GET /targets/{id}', 'tenant', [200, 400, 404]],
  ['PATCH /targets/{id}', 'tenant', [200], ['name?', 'kind?', 'address?', 'tags?', 'metadata?']],
  ['DELETE /targets/{id}', 'tenant', [204, 409]],
  ['POST /sessions', 'tenant', [201, 404], ['targetId', 'metadata?', 'ttlSeconds?']],
  ['GET /sessions', 'tenant', [200], undefined, 'list'],
  ['GET /sessions/{id}', 'tenant', [200, 404]],
  ['PATCH /sessions/{id}', 'tenant', [200], ['metadata']],
  ['POST /sessions/{id}/close', 'tenant', [200]],
  ['POST /jobs', 'tenant', [201, 200, 409], ['targetId', 'sessionId?', 'type', 'payload?', 'priority?', 'maxAttempts?', 'runAt?']],
  ['GET /jobs', 'tenant', [200], undefined, 'list'],
  ['GET /jobs/{id}', 'tenant', [200, 404]],
  ['POST /jobs/{id}/cancel', 'tenant', [200, 409]],
  ['POST /jobs/{id}/retry', 'tenant', [200, 409]],
  ['POST /jobs/batch', 'tenant', [201, 400, 404], ['jobs']],
  ['POST /jobs/claim', 'tenant', [200, 204], ['workerId', 'types?', 'leaseSeconds?', 'limit?', 'waitSeconds?']],
  ['POST /jobs/complete-batch', 'tenant', [200], ['workerId', 'items']],
  ['POST /jobs/{id}/heartbeat', 'tenant', [200, 409], ['workerId', 'leaseSeconds?', 'progress?']],
  ['POST /jobs/{id}/complete', 'tenant', [200, 409], ['workerId', 'result?']],
  ['POST /jobs/{id}/fail', 'tenant', [200, 409], ['workerId', 'error', 'retryable?', 'retryDelaySeconds?']],
  ['POST /jobs/{id}/logs', 'tenant', [201], ['entries']],
  ['GET /jobs/{id}/logs', 'tenant', [200]],
  ['GET /jobs/{id}/logs/stream', 'tenant', [200]],
  ['POST /schedules', 'tenant', [201, 400], ['name', 'cron', 'timezone?', 'job', 'enabled?']],
  ['GET /schedules', 'tenant', [200], undefined, 'list'],
  ['GET /schedules/{id}', 'tenant', [200]],
  ['PATCH /schedules/{id}', 'tenant', [200]],
  ['DELETE /schedules/{id}', 'tenant', [400, 404]],
  ['GET /health', 'public', [200]],
  ['GET /health/ready', 'public', [200, 503]],
  ['GET /metrics', 'admin', [200]],
];

/** The objects of API.md and the fields it gives each (an answer may carry more). */
const OBJECTS: Array<[string, string[]]> = [
  ['TenantDto', ['id', 'name', 'slug', 'schemaName', 'isActive', 'createdAt', 'updatedAt', 'deletedAt', 'purgeAfter', 'rateLimit']],
  ['TenantInfoDto', ['id', 'name', 'slug', 'schemaName', 'isActive', 'createdAt', 'key']],
  ['CallingKeyDto', ['id', 'name', 'scopes', 'expiresAt']],
  ['TargetDto', ['id', 'name', 'kind', 'address', 'tags', 'metadata', 'createdAt', 'updatedAt']],
  ['SessionDto', ['id', 'targetId', 'status', 'metadata', 'expiresAt', 'closedAt', 'createdAt', 'updatedAt']],
  ['JobDto', ['id', 'targetId', 'sessionId', 'type', 'payload', 'status', 'priority', 'attempts', 'maxAttempts', 'runAt', 'workerId',
    'leaseExpiresAt', 'result', 'error', 'createdAt', 'updatedAt', 'startedAt', 'finishedAt', 'progress']],
  ['JobLogDto', ['seq', 'level', 'message', 'data', 'timestamp']],
  ['ApiKeyDto', ['id', 'name', 'prefix', 'scopes', 'createdAt', 'expiresAt', 'lastUsedAt', 'graceUntil', 'revokedAt']],
  ['AuditEventDto', ['id', 'at', 'actor', 'action', 'tenantId', 'keyId', 'requestId', 'detail']],
  ['ScheduleDto', ['id', 'name', 'cron', 'timezone', 'job', 'enabled', 'nextRunAt', 'lastRunAt', 'createdAt', 'updatedAt']],
  ['ErrorDto', ['statusCode', 'error', 'message', 'requestId']],
];

const operationOf = (route: string): Operation | undefined => {
  const [method, path] = route.split(' ');
  return doc.paths[path]?.[method.toLowerCase()];
};
const routesInDocument = Object.entries(doc.paths).flatMap(([path, methods]) =>
  Object.keys(methods)
    .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
    .map((method) => `${method.toUpperCase()} ${path}`),
);

describe('openapi.json keeps the HTTP contract', () => {
  it('has exactly the routes of the contract', () => {
    expect(routesInDocument.sort()).toEqual(CONTRACT.map(([route]) => route).sort());
  });

  // Every row at full length: jest would take a missing last argument for a done callback.
  const rows = CONTRACT.map(([route, who, statuses, fields, list]) => [route, who, statuses, fields ?? null, list ?? null] as const);
  it.each(rows)('%s: security, statuses, body fields and list parameters as the contract says', (route, who, statuses, fields, list) => {
    const operation = operationOf(route)!;
    const scheme = { admin: 'adminApiKey', tenant: 'tenantApiKey', public: undefined }[who];
    expect(operation.security ?? []).toEqual(scheme ? [{ [scheme]: [] }] : []);
    const declared = Object.keys(operation.responses).map(Number);
    const expected = [...statuses, ...(who === 'public' ? [] : [401, 429]), ...(fields ? [400, 413] : [])];
    expect(declared).toEqual(expect.arrayContaining(expected));
    if (fields) {
      const body = resolve(operation.requestBody!.content['application/json'].schema);
      const shown = Object.keys(body.properties ?? {}).map((name) => (body.required?.includes(name) ? name : `${name}?`));
      expect(shown.sort()).toEqual([...fields].sort());
    }
    if (list) expect((operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name)).toEqual(expect.arrayContaining(['limit', 'cursor']));
  });

  it.each(OBJECTS)('%s carries the fields of the contract', (name, fields) => {
    expect(Object.keys(doc.components.schemas[name]?.properties ?? {})).toEqual(expect.arrayContaining(fields));
  });
});
