import { readdirSync } from 'node:fs';
import path from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { NoBodyGuard } from './no-body.decorator';

const WRITES = new Set([RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH, RequestMethod.DELETE]);
const READS_BODY = [RouteParamtypes.BODY, RouteParamtypes.REQUEST, RouteParamtypes.RAW_BODY].map((type) => `${type}:`);

/** `Controller.method` of every POST/PUT/PATCH/DELETE handler under src/, with whether it reads the body and has NoBody. */
function writeHandlers(): Array<{ name: string; readsBody: boolean; noBody: boolean }> {
  const found: Array<{ name: string; readsBody: boolean; noBody: boolean }> = [];
  const root = path.join(__dirname, '..');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.controller.ts'));
  for (const file of files) {
    for (const exported of Object.values(require(path.join(root, file)) as Record<string, unknown>)) {
      if (typeof exported !== 'function') continue;
      for (const method of Object.getOwnPropertyNames(exported.prototype)) {
        const handler = exported.prototype[method] as Function;
        if (method === 'constructor' || !WRITES.has(Reflect.getMetadata(METHOD_METADATA, handler))) continue;
        const args = Object.keys((Reflect.getMetadata(ROUTE_ARGS_METADATA, exported, method) ?? {}) as object);
        const guards = (Reflect.getMetadata(GUARDS_METADATA, handler) ?? []) as unknown[];
        found.push({
          name: `${exported.name}.${method}`,
          readsBody: args.some((key) => READS_BODY.some((prefix) => key.startsWith(prefix))),
          noBody: guards.includes(NoBodyGuard),
        });
      }
    }
  }
  return found;
}

describe('NoBody', () => {
  const handlers = writeHandlers();

  it('finds the write routes', () => {
    expect(handlers.length).toBeGreaterThan(20);
    expect(handlers.map((handler) => handler.name)).toEqual(expect.arrayContaining(['JobsController.cancel', 'JobsController.retry']));
  });

  it('marks every write route that takes no body, and only those', () => {
    const wrong = handlers.filter((handler) => handler.readsBody === handler.noBody).map((handler) => handler.name);
    expect(wrong).toEqual([]);
  });
});
