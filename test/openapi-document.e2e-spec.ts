import { committedOpenApi, firstDifference } from './utils/committed-openapi';
import { createTestApp, TestApp } from './utils/test-app';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
/** Free-text fields whose names look like ids or timestamps but are not server-made ones. */
const NOT_UUIDS = new Set(['workerId', 'requestId']);
/** API key ids are the public base62 id inside the key (`tnt_<id>_…`), not UUIDs: they carry that pattern instead. */
const KEY_ID_PATTERN = '^[0-9A-Za-z]{12}$';
const isKeyId = (where: string, name: string) => /^(CallingKey|ApiKey)\w*Dto\.id$|keyId$/.test(where) || name === 'keyId';
/** Audit event ids are bigint sequence numbers, carried as decimal strings. */
const isSequenceId = (where: string) => where === 'AuditEventDto.id';

function operations() {
  const doc = committedOpenApi();
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ where: `${method.toUpperCase()} ${path}`, operation: item[method] })),
  );
}

/** Every named property of every component schema, and every parameter, as [where, name, schema]. */
function namedSchemas(): Array<[string, string, Record<string, unknown>]> {
  const doc = committedOpenApi();
  const properties = Object.entries(doc.components.schemas).flatMap(([schemaName, schema]) =>
    Object.entries((schema.properties ?? {}) as Record<string, Record<string, unknown>>).map(
      ([name, property]) => [`${schemaName}.${name}`, name, property] as [string, string, Record<string, unknown>],
    ),
  );
  const parameters = operations().flatMap(({ where, operation }) =>
    (operation.parameters ?? []).map((p: { name: string; in: string; schema: Record<string, unknown> }) => [`${where} ${p.in} ${p.name}`, p.name, p.schema]),
  );
  return [...properties, ...parameters];
}

describe('the committed OpenAPI document (openapi.json)', () => {
  let t: TestApp;
  let served: unknown;

  beforeAll(async () => {
    t = await createTestApp();
    served = (await t.http().get('/docs-json').expect(200)).body;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is the document the server serves at /docs-json', () => {
    const difference = firstDifference(served, committedOpenApi());
    if (difference) {
      throw new Error(`openapi.json differs from /docs-json at ${difference}: run \`npm run openapi\` and commit openapi.json`);
    }
  });

  it('declares every number a whole number (`integer`), and every id and timestamp with its format', () => {
    expect(JSON.stringify(committedOpenApi())).not.toMatch(/"type":"number"/);
    const named = namedSchemas().filter(([, name]) => (name === 'id' || name.endsWith('Id')) && !NOT_UUIDS.has(name));
    const ids = named.filter(([where, name]) => !isKeyId(where, name) && !isSequenceId(where));
    expect(named.filter(([where]) => isSequenceId(where)).map(([, , schema]) => schema.pattern)).toEqual(['^\\d+$']);
    const keyIds = named.filter(([where, name]) => isKeyId(where, name));
    expect(keyIds.filter(([, , schema]) => schema.pattern !== KEY_ID_PATTERN).map(([where]) => where)).toEqual([]);
    const timestamps = namedSchemas().filter(([, name]) => /At$|^timestamp$/.test(name));
    expect(ids.length).toBeGreaterThan(10);
    expect(timestamps.length).toBeGreaterThan(10);
    expect(ids.filter(([, , schema]) => schema.format !== 'uuid').map(([where]) => where)).toEqual([]);
    expect(timestamps.filter(([, , schema]) => schema.format !== 'date-time').map(([where]) => where)).toEqual([]);
  });

  it('closes every request body and pre-fills no optional query parameter', () => {
    const { schemas } = committedOpenApi().components;
    for (const { where, operation } of operations()) {
      // A JSON body (the import's is a gzip archive).
      const ref: string | undefined = operation.requestBody?.content['application/json']?.schema.$ref;
      if (ref) expect([where, schemas[ref.split('/').pop()!].additionalProperties]).toEqual([where, false]);
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === 'query') expect([where, parameter.name, parameter.schema.example, parameter.example]).toEqual([where, parameter.name, undefined, undefined]);
      }
    }
  });

  it('gives every error answer an example of its own status, X-Request-Id on every answer and Retry-After on 429 and 503', () => {
    for (const { where, operation } of operations()) {
      expect([where, operation.description]).toEqual([where, expect.any(String)]);
      expect([where, operation.security]).toEqual([where, expect.any(Array)]);
      for (const [status, response] of Object.entries(operation.responses as Record<string, any>)) {
        expect([where, status, response.headers?.['X-Request-Id']]).toEqual([where, status, { $ref: '#/components/headers/X-Request-Id' }]);
        if (Number(status) < 400) continue;
        const media = response.content['application/json'];
        expect([where, status, media.schema.$ref]).toEqual([where, status, '#/components/schemas/ErrorDto']);
        expect([where, status, media.example.statusCode]).toEqual([where, status, Number(status)]);
        if (status === '429' || status === '503') {
          expect([where, status, response.headers['Retry-After']]).toEqual([where, status, { $ref: '#/components/headers/Retry-After' }]);
        }
      }
    }
  });
});
