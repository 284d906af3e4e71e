import express from 'express';
import request from 'supertest';
import { responseProblems } from './utils/openapi-response-check';
import { checkedAgainstDocument } from './utils/test-app';

const REQUEST_ID = { 'x-request-id': 'r-1', 'content-type': 'application/json; charset=utf-8' };
const TARGET = {
  id: '0b6f3c0e-4f7e-4a53-9b5a-3f8c2e9d1a10',
  name: 'web-1',
  kind: 'generic',
  address: 'https://web-1.internal',
  tags: [],
  metadata: {},
  createdAt: '2030-01-01T00:00:00.000Z',
  updatedAt: '2030-01-01T00:00:00.000Z',
};

/** The check that t.http() runs on every response: it must fail on responses off the committed document. */
describe('the response check against openapi.json', () => {
  it('accepts a response on its schema', () => {
    expect(responseProblems('get', `/targets/${TARGET.id}?x=1`, { status: 200, headers: REQUEST_ID, body: TARGET })).toEqual([]);
    expect(responseProblems('post', '/jobs/claim', { status: 204, headers: REQUEST_ID, body: {}, text: '' })).toEqual([]);
  });

  it('refuses an undeclared field, a wrong type or format, a missing field and a missing X-Request-Id', () => {
    const problems = (body: unknown, headers: Record<string, string> = REQUEST_ID) =>
      responseProblems('get', `/targets/${TARGET.id}`, { status: 200, headers, body });
    expect(problems({ ...TARGET, tenantId: 'x' })).toEqual([expect.stringContaining('must NOT have additional properties (tenantId)')]);
    expect(problems({ ...TARGET, tags: 'prod' })).toEqual([expect.stringContaining('body/tags must be array')]);
    expect(problems({ ...TARGET, createdAt: 'yesterday' })).toEqual([expect.stringContaining('body/createdAt must match format "date-time"')]);
    const { address: _address, ...withoutAddress } = TARGET;
    expect(problems(withoutAddress)).toEqual([expect.stringContaining("must have required property 'address'")]);
    expect(problems(TARGET, { 'content-type': 'application/json' })).toEqual([expect.stringContaining('header X-Request-Id is missing')]);
  });

  it('refuses a status the operation does not declare, and a route the document lacks', () => {
    const error = { statusCode: 409, error: 'Conflict', message: 'Conflict', requestId: 'r-1' };
    expect(responseProblems('get', '/targets', { status: 409, headers: REQUEST_ID, body: error })).toEqual([
      'GET /targets answered 409, a status the document does not declare for it',
    ]);
    expect(responseProblems('get', '/reports', { status: 200, headers: REQUEST_ID, body: {} })).toEqual(['/reports is not in the document']);
    expect(responseProblems('get', '/reports', { status: 404, headers: REQUEST_ID, body: {} })).toEqual([]);
  });

  it('fails the request of a checked agent whose response is off the document', async () => {
    const app = express().get('/health', (_req, res) => {
      res.setHeader('X-Request-Id', 'r-1');
      res.json({ status: 'ok', uptime: 3 });
    });
    await expect(checkedAgainstDocument(request(app)).get('/health')).rejects.toThrow(
      /Response off openapi\.json[\s\S]*GET \/health → 200: body must NOT have additional properties \(uptime\)/,
    );
    await expect(request(app).get('/health').expect(200)).resolves.toBeDefined();
  });
});
