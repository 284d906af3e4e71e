import { Controller, Get, Header, HttpCode, INestApplication, Module, Post, StreamableFile } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import request from 'supertest';
import { ApiExpressAdapter } from './api-express-adapter';

class Shaped {
  constructor(readonly id: string) {}
  toJSON() {
    return { id: this.id, shaped: true };
  }
}

const LARGE = { items: Array.from({ length: 40 }, (_, i) => ({ id: `item-${i}`, name: 'ünïcödé ✓', tags: ['a', 'b'] })), nextCursor: null };

@Controller()
class SampleController {
  @Get('object') object() {
    return { a: 1, b: 'two', nested: { c: [1, 2, 3] }, when: new Date('2026-01-02T03:04:05.678Z') };
  }
  @Get('large') large() {
    return LARGE;
  }
  @Get('array') array() {
    return [{ id: 'x' }, null, 'y'];
  }
  @Get('instance') instance() {
    return new Shaped('s-1');
  }
  @Post('created') created() {
    return { id: 'new' };
  }
  @Post('empty') @HttpCode(204) empty() {
    return undefined;
  }
  @Get('text') text() {
    return 'plain words';
  }
  @Get('typed') @Header('Content-Type', 'application/problem+json') typed() {
    return { type: 'about:blank' };
  }
  @Get('file') file() {
    return new StreamableFile(Buffer.from('bytes'));
  }
}

@Module({ controllers: [SampleController] })
class SampleModule {}

async function appOn(adapter: ExpressAdapter): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [SampleModule] }).compile();
  const app = moduleRef.createNestApplication(adapter, { logger: false });
  const express = adapter.getInstance();
  express.disable('x-powered-by');
  express.set('etag', false);
  return app.init();
}

/** Every answer of ApiExpressAdapter equals Nest's stock adapter's, byte for byte and header for header. */
describe('ApiExpressAdapter', () => {
  let stock: INestApplication;
  let fast: INestApplication;
  beforeAll(async () => {
    [stock, fast] = await Promise.all([appOn(new ExpressAdapter()), appOn(new ApiExpressAdapter())]);
  });
  afterAll(async () => {
    await Promise.all([stock.close(), fast.close()]);
  });

  const comparable = (res: request.Response) => {
    const { date: _date, ...headers } = res.headers as Record<string, string>;
    return { status: res.status, headers, text: res.text, body: res.body as unknown };
  };

  it.each([
    ['GET', '/object'],
    ['GET', '/large'],
    ['GET', '/array'],
    ['GET', '/instance'],
    ['POST', '/created'],
    ['POST', '/empty'],
    ['GET', '/text'],
    ['GET', '/typed'],
    ['GET', '/file'],
    ['HEAD', '/object'],
    ['HEAD', '/large'],
  ])('%s %s answers as Nest’s own adapter does', async (method, path) => {
    const send = (app: INestApplication) => (method === 'GET' ? request(app.getHttpServer()).get(path) : method === 'POST' ? request(app.getHttpServer()).post(path) : request(app.getHttpServer()).head(path));
    const [expected, actual] = await Promise.all([send(stock), send(fast)]);
    expect(comparable(actual)).toEqual(comparable(expected));
  });

  it('sends the JSON answer as application/json with its byte length', async () => {
    const res = await request(fast.getHttpServer()).get('/large').expect(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(JSON.stringify(LARGE)));
    expect(res.body).toEqual(LARGE);
  });

  it('builds each request and response on the app’s Express prototypes before Express sees them', async () => {
    const seen: Array<{ request: boolean; response: boolean }> = [];
    const observeBirth = (app: INestApplication) => {
      const express = (app.getHttpAdapter() as ExpressAdapter).getInstance<{ request: object; response: object }>();
      (app.getHttpServer() as Server).prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
        seen.push({ request: Object.getPrototypeOf(req) === express.request, response: Object.getPrototypeOf(res) === express.response });
      });
    };
    observeBirth(stock);
    observeBirth(fast);
    await request(stock.getHttpServer()).get('/object').expect(200);
    await request(fast.getHttpServer()).get('/object').expect(200);
    // Nest's stock server makes plain Node objects that Express re-prototypes per request; this one does not need to.
    expect(seen).toEqual([{ request: false, response: false }, { request: true, response: true }]);
  });
});
