import { readdirSync } from 'node:fs';
import path from 'node:path';
import { BadRequestException } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { getMetadataStorage, IsOptional, IsString, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { ListJobsQueryDto } from '../jobs/dto/job.dto';
import { CreateTargetDto, ListTargetsQueryDto } from '../targets/dto/target.dto';
import { ApiValidationPipe } from './api-validation.pipe';
import { QuickDtoCheck } from './quick-dto-check';
import { appPipe, decoratorsOnlyPipe } from '../../test/utils/validation-pipes';


/** Every DTO class a controller under src/ takes with `@Query()` or `@Body()` (the whole query object or body). */
function routeDtos(paramtype: RouteParamtypes): Function[] {
  const found = new Set<Function>();
  const files = readdirSync(path.join(__dirname, '..'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.controller.ts'));
  for (const file of files) {
    for (const exported of Object.values(require(path.join(__dirname, '..', file)) as Record<string, unknown>)) {
      if (typeof exported !== 'function') continue;
      for (const method of Object.getOwnPropertyNames(exported.prototype)) {
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, exported, method) ?? {}) as Record<string, { index: number; data?: unknown }>;
        const types = (Reflect.getMetadata('design:paramtypes', exported.prototype, method) ?? []) as Function[];
        for (const [key, arg] of Object.entries(args)) {
          if (key.startsWith(`${paramtype}:`) && arg.data === undefined) found.add(types[arg.index]);
        }
      }
    }
  }
  return [...found];
}

type Outcome = { class: string; value: unknown } | { error: unknown };

type Kind = 'query' | 'body';

/** A query as Express 5's query parser builds it (an object without a prototype); a body as JSON.parse does. */
function input(kind: Kind, plain: Record<string, unknown>): object {
  const copy = JSON.parse(JSON.stringify(plain)) as object;
  return kind === 'query' ? Object.assign(Object.create(null) as object, copy) : copy;
}

async function outcome(pipe: ApiValidationPipe, metatype: Function, plain: Record<string, unknown>, kind: Kind = 'query'): Promise<Outcome> {
  try {
    const result = (await pipe.transform(input(kind, plain), { type: kind, metatype: metatype as never })) as object;
    return { class: result.constructor.name, value: { ...result } };
  } catch (error) {
    if (error instanceof BadRequestException) return { error: error.getResponse() };
    throw error;
  }
}

function messagesOf(result: { error: unknown }): string[] {
  const message = (result.error as { message?: unknown }).message;
  return Array.isArray(message) ? (message as string[]) : [String(message)];
}

function wasQuick(metatype: Function, plain: Record<string, unknown>, kind: Kind = 'query'): boolean {
  return new QuickDtoCheck().check(metatype, input(kind, plain)) !== null;
}

const UUID = '6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f';
// Accepted somewhere and refused elsewhere: integers in and out of every range, what IsQueryInt refuses, enum
// values of the lists, uuids, slugs, and text with NUL, lone surrogates, non-ASCII, lengths 0, 50, 51, 101, 513.
const SAMPLES = [
  '', '0', '1', '20', '50', '100', '101', '4294967295', '99999999999', '-1', '1.5', '1e1', '0x10', ' 10', '10 ', '007',
  'true', 'false', 'TRUE', 'queued', 'running', 'succeeded', 'active', 'closed', 'expired', 'info', 'error', 'warn',
  UUID, UUID.toUpperCase(), UUID.slice(1), '00000000-0000-0000-0000-000000000000', 'acme-corp', 'Acme', 'a b~', 'eu-west',
  'x'.repeat(50), 'x'.repeat(51), 'x'.repeat(100), 'x'.repeat(101), 'x'.repeat(512), 'x'.repeat(513), 'a\u0000b', 'a\ud800', '\udc00b',
  'caf\u00e9', '\ud83d\ude00', '  padded  ', 'WyIyMDI2LTAxLTAxVDAwOjAwOjAwLjAwMFoiLCJ4Il0',
];
const STRUCTURAL: Array<[string, Record<string, unknown>]> = [
  ['no field', {}],
  ['a repeated field (an array)', { limit: ['1', '2'] }],
  ['an unknown field', { colour: 'red' }],
  ['an unknown field beside a known one', { limit: '20', colour: 'red' }],
  ['a nested object', { limit: { a: '1' } }],
  ['a constructor field', { constructor: 'x' }],
  ['a __proto__ field', JSON.parse('{"__proto__": "x"}') as Record<string, unknown>],
];

// Bodies: the strings above and every other JSON kind, in and out of the bodies' ranges.
const BODY_SAMPLES: unknown[] = [
  ...SAMPLES, 0, 1, -1, 1.5, 20, 100, 101, -100, -101, 2 ** 31, true, false, null,
  [], ['eu-west'], ['a', 'b'], ['a', 1], [null], [['a']], [{}], Array.from({ length: 20 }, (_, i) => `t${i}`), Array.from({ length: 21 }, (_, i) => `t${i}`), ['x'.repeat(51)], ['a\u0000'],
  {}, { rack: 'b7' }, { constructor: 1, n: [1, { x: null }] }, { a: '\u0000' }, { big: 'x'.repeat(17 * 1024) }, { percent: 40 }, { percent: 40, message: 'm' },
];

// Small create and update bodies of plain fields, which the quick path covers (nested DTOs are left to the pipe).
const QUICK_BODIES = ['CreateTargetDto', 'UpdateTargetDto', 'CreateJobDto', 'CreateSessionDto', 'UpdateSessionDto', 'CompleteJobDto', 'FailJobDto'];

/** Each sample in each field, alone and within a value the decorators accept otherwise: the same outcome on both paths. */
async function compareOverSamples(dto: Function, kind: Kind, samples: unknown[], extraFields: string[]): Promise<number> {
  const fields = new Set(getMetadataStorage().getTargetValidationMetadatas(dto, '', false, false).map((rule) => rule.propertyName));
  // A value each field of which the decorators accept, so that one field at a time can be varied within it.
  const base: Record<string, unknown> = {};
  for (const field of fields) {
    for (const sample of samples) {
      const result = await outcome(decoratorsOnlyPipe, dto, { [field]: sample }, kind);
      if (!('error' in result) || !messagesOf(result).some((message) => message.startsWith(`${field} `))) {
        base[field] = sample;
        break;
      }
    }
  }
  const values: Array<Record<string, unknown>> = STRUCTURAL.flatMap(([, value]) => [value, { ...base, ...value }]);
  values.push(base);
  for (const field of new Set([...fields, ...extraFields])) {
    for (const sample of samples) values.push({ [field]: sample }, { ...base, [field]: sample });
  }
  let quick = 0;
  for (const value of values) {
    const expected = await outcome(decoratorsOnlyPipe, dto, value, kind);
    expect({ value, outcome: await outcome(appPipe, dto, value, kind) }).toStrictEqual({ value, outcome: expected });
    if (wasQuick(dto, value, kind)) {
      quick += 1;
      expect(expected).toHaveProperty('class', dto.name); // never quick where the decorators refuse
    }
  }
  return quick;
}

describe('quick checks of query and body DTOs', () => {
  const queries = routeDtos(RouteParamtypes.QUERY);
  const bodies = routeDtos(RouteParamtypes.BODY);

  it('finds the query and body DTOs of the controllers', () => {
    expect(queries.map((dto) => dto.name)).toEqual(expect.arrayContaining(['ListTargetsQueryDto', 'ListJobsQueryDto', 'ListJobLogsQueryDto', 'ImportTenantQueryDto']));
    expect(queries.length).toBeGreaterThanOrEqual(10);
    expect(bodies.map((dto) => dto.name)).toEqual(expect.arrayContaining(['CreateTargetDto', 'UpdateTargetDto', 'CreateJobDto', 'CreateSessionDto']));
    expect(bodies.length).toBeGreaterThanOrEqual(15);
  });

  it.each(queries.map((dto) => [dto.name, dto] as const))('query %s: every sample in every field has the outcome the decorators give', async (_name, dto) => {
    expect(await compareOverSamples(dto, 'query', SAMPLES, ['limit', 'cursor'])).toBeGreaterThan(0);
  });

  it.each(bodies.map((dto) => [dto.name, dto] as const))('body %s: every sample in every field has the outcome the decorators give', async (_name, dto) => {
    const quick = await compareOverSamples(dto, 'body', BODY_SAMPLES, ['id']);
    if (QUICK_BODIES.includes(dto.name)) expect(quick).toBeGreaterThan(0);
  });

  it('takes the quick path for the common lists and leaves refusals to the decorators', async () => {
    expect(wasQuick(ListTargetsQueryDto, { limit: '20' })).toBe(true);
    expect(wasQuick(ListTargetsQueryDto, {})).toBe(true);
    expect(wasQuick(ListTargetsQueryDto, { limit: '20', tag: 'eu-west', kind: 'router', cursor: 'abc' })).toBe(true);
    expect(wasQuick(ListJobsQueryDto, { status: 'queued', targetId: UUID })).toBe(true);
    expect(wasQuick(ListTargetsQueryDto, { limit: '101' })).toBe(false);
    expect(wasQuick(ListTargetsQueryDto, { limit: ['20'] })).toBe(false);
    expect(wasQuick(ListTargetsQueryDto, { tag: 'a\u0000' })).toBe(false);
    const target = { name: ' edge-1 ', address: 'https://10.0.0.1', tags: ['eu-west'], metadata: { rack: 'b7', constructor: 1 } };
    expect(wasQuick(CreateTargetDto, target, 'body')).toBe(true);
    expect(wasQuick(CreateTargetDto, { ...target, tags: ['a', 1] }, 'body')).toBe(false);
    expect(wasQuick(CreateTargetDto, { ...target, kind: null }, 'body')).toBe(false);
    const body = JSON.parse(JSON.stringify(target)) as typeof target;
    const created = (await appPipe.transform(body, { type: 'body', metatype: CreateTargetDto })) as CreateTargetDto;
    expect(created).toStrictEqual(Object.assign(new CreateTargetDto(), { ...target, name: 'edge-1' }));
    expect(created.metadata).toBe(body.metadata); // free-form JSON is handed over as sent
    expect(created.tags).not.toBe(body.tags); // an array is copied, as class-transformer copies it
    const built = (await appPipe.transform(Object.assign(Object.create(null) as object, { limit: '20' }), { type: 'query', metatype: ListTargetsQueryDto })) as object;
    expect(built).toBeInstanceOf(ListTargetsQueryDto);
    expect(built).toStrictEqual(Object.assign(new ListTargetsQueryDto(), { limit: 20 }));
  });

  it('has no plan for classes whose decorators it does not reproduce, and nested DTOs only in arrays', async () => {
    class Inner {
      @IsString() name: string;
    }
    class Nested {
      @IsOptional() @ValidateNested() @Type(() => Inner) inner?: Inner;
    }
    class Numbered {
      @IsOptional() @Type(() => Number) n?: number;
    }
    class Required {
      @ValidateNested() @Type(() => Inner) inner: Inner[];
    }
    class Undecorated {}
    // A nested DTO is quick only in an array; a single one, or none where one is required, is left to the decorators.
    expect(wasQuick(Nested, { inner: { name: 'x' } }, 'body')).toBe(false);
    expect(wasQuick(Nested, { inner: [{ name: 'x' }] }, 'body')).toBe(true);
    expect(wasQuick(Nested, { inner: [{ name: 1 }] }, 'body')).toBe(false);
    expect(wasQuick(Nested, { inner: [{ name: 'x', extra: 1 }] }, 'body')).toBe(false);
    expect(wasQuick(Nested, { inner: null }, 'body')).toBe(false);
    expect(wasQuick(Required, {}, 'body')).toBe(false);
    for (const [dto, body] of [[Nested, { inner: { name: 'x' } }], [Nested, { inner: [{ name: 'x' }] }], [Nested, { inner: null }], [Required, {}]] as const) {
      expect(await outcome(appPipe, dto, body, 'body')).toStrictEqual(await outcome(decoratorsOnlyPipe, dto, body, 'body'));
    }
    expect(wasQuick(Numbered, { n: '1' })).toBe(false);
    expect(wasQuick(Undecorated, {})).toBe(false);
    expect(QuickDtoCheck.supports({ whitelist: true, forbidNonWhitelisted: true, groups: ['a'] }, undefined)).toBe(false);
    expect(QuickDtoCheck.supports({ whitelist: true, forbidNonWhitelisted: true }, { enableImplicitConversion: true })).toBe(false);
    expect(QuickDtoCheck.supports({ whitelist: true }, undefined)).toBe(false);
  });
});
