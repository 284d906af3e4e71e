import { createTestApp, TestApp } from '../utils/test-app';

interface Operation {
  summary?: string;
  security?: Array<Record<string, unknown>>;
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Record<string, unknown> }>;
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}

/** Every domain route is in /docs-json with its summary, tenant key, statuses and error bodies. */
describe('OpenAPI document of the domain routes', () => {
  let t: TestApp;
  let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, any> } };

  beforeAll(async () => {
    t = await createTestApp();
    doc = (await t.http().get('/docs-json').expect(200)).body;
  });
  afterAll(async () => {
    await t?.close();
  });

  const routes: Array<[string, string, number[]]> = [
    ['post', '/targets', [201, 400, 409, 413]],
    ['get', '/targets', [200, 400]],
    ['get', '/targets/{id}', [200, 400, 404]],
    ['patch', '/targets/{id}', [200, 400, 404, 409, 413]],
    ['delete', '/targets/{id}', [204, 400, 404, 409]],
    ['post', '/sessions', [201, 400, 404, 413]],
    ['get', '/sessions', [200, 400]],
    ['get', '/sessions/{id}', [200, 400, 404]],
    ['patch', '/sessions/{id}', [200, 400, 404, 413]],
    ['post', '/sessions/{id}/close', [200, 400, 404]],
    ['post', '/jobs', [200, 201, 400, 404, 409, 413]],
    ['get', '/jobs', [200, 400]],
    ['get', '/jobs/{id}', [200, 400, 404]],
    ['post', '/jobs/{id}/cancel', [200, 400, 404, 409]],
    ['post', '/jobs/claim', [200, 204, 400, 413]],
    ['post', '/jobs/{id}/heartbeat', [200, 400, 404, 409, 413]],
    ['post', '/jobs/{id}/complete', [200, 400, 404, 409, 413]],
    ['post', '/jobs/{id}/fail', [200, 400, 404, 409, 413]],
    ['post', '/jobs/{id}/logs', [201, 400, 404, 413]],
    ['get', '/jobs/{id}/logs', [200, 400, 404]],
  ];

  it.each(routes)('%s %s is documented', (method, path, statuses) => {
    const operation = doc.paths[path]?.[method];
    expect(operation).toBeDefined();
    expect(operation.summary).toEqual(expect.any(String));
    expect(operation.security).toEqual([{ tenantApiKey: [] }]);
    for (const status of [...statuses, 401]) expect(Object.keys(operation.responses)).toContain(String(status));
    for (const status of statuses.filter((s) => s >= 400)) {
      expect(operation.responses[String(status)].content?.['application/json']?.schema?.$ref).toBe(
        '#/components/schemas/ErrorDto',
      );
    }
  });

  it('documents the Idempotency-Key header, the enums and the request limits', () => {
    const header = doc.paths['/jobs'].post.parameters?.find((p) => p.name === 'Idempotency-Key');
    expect(header).toMatchObject({ in: 'header', required: false, schema: { minLength: 1, maxLength: 200 } });
    const { schemas } = doc.components;
    expect(schemas.JobDto.properties.status.enum).toEqual(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
    expect(schemas.SessionDto.properties.status.enum).toEqual(['active', 'closed', 'expired']);
    expect(schemas.JobLogEntryDto.properties.level.enum).toEqual(['debug', 'info', 'warn', 'error']);
    expect(schemas.CreateJobDto.properties.priority).toMatchObject({ minimum: -100, maximum: 100 });
    expect(schemas.CreateTargetDto.properties.name).toMatchObject({ minLength: 1, maxLength: 200 });
    expect(schemas.ClaimJobDto.properties.leaseSeconds).toMatchObject({ minimum: 5, maximum: 3600 });
    expect(schemas.AppendJobLogsDto.properties.entries).toMatchObject({ minItems: 1, maxItems: 1000 });
    expect(schemas.CreateTargetDto.required).toEqual(expect.arrayContaining(['name', 'address']));
  });
});
