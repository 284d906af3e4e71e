import { readdirSync } from 'node:fs';
import path from 'node:path';
import { BadRequestException, type ValidationPipeOptions } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { getMetadataStorage, IsOptional, IsString, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { ListJobsQueryDto } from '../jobs/dto/job.dto';
import { ListTargetsQueryDto } from '../targets/dto/target.dto';
import { ApiValidationPipe } from './api-validation.pipe';
import { QuickQueryCheck } from './quick-query-check';

// The options of the app's global pipe (app.setup.ts).
const OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  validationError: { target: false, value: false },
};
const app = new ApiValidationPipe(OPTIONS);
// The same pipe without the quick paths: the decorators alone.
const decorators = new (class extends ApiValidationPipe {
  protected override quickCheck(): null {
    return null;
  }
})(OPTIONS);

/** Every DTO class a controller under src/ takes with `@Query()` (the whole query object). */
function queryDtos(): Function[] {
  const found = new Set<Function>();
  const files = readdirSync(path.join(__dirname, '..'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.controller.ts'));
  for (const file of files) {
    for (const exported of Object.values(require(path.join(__dirname, '..', file)) as Record<string, unknown>)) {
      if (typeof exported !== 'function') continue;
      for (const method of Object.getOwnPropertyNames(exported.prototype)) {
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, exported, method) ?? {}) as Record<string, { index: number; data?: unknown }>;
        const types = (Reflect.getMetadata('design:paramtypes', exported.prototype, method) ?? []) as Function[];
        for (const [key, arg] of Object.entries(args)) {
          if (key.startsWith(`${RouteParamtypes.QUERY}:`) && arg.data === undefined) found.add(types[arg.index]);
        }
      }
    }
  }
  return [...found];
}

type Outcome = { class: string; value: unknown } | { error: unknown };

async function outcome(pipe: ApiValidationPipe, metatype: Function, query: Record<string, unknown>): Promise<Outcome> {
  // As Express 5's query parser builds it: an object without a prototype.
  const value = Object.assign(Object.create(null) as object, structuredClone(query));
  try {
    const result = (await pipe.transform(value, { type: 'query', metatype: metatype as never })) as object;
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

function wasQuick(metatype: Function, query: Record<string, unknown>): boolean {
  return new QuickQueryCheck().check(metatype, Object.assign(Object.create(null) as object, structuredClone(query))) !== null;
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

describe('quick checks of query DTOs', () => {
  const dtos = queryDtos();

  it('finds the query DTOs of the controllers', () => {
    expect(dtos.map((dto) => dto.name)).toEqual(expect.arrayContaining(['ListTargetsQueryDto', 'ListJobsQueryDto', 'ListJobLogsQueryDto', 'ImportTenantQueryDto']));
    expect(dtos.length).toBeGreaterThanOrEqual(10);
  });

  it.each(dtos.map((dto) => [dto.name, dto] as const))('%s: every sample in every field has the outcome the decorators give', async (_name, dto) => {
    const fields = getMetadataStorage().getTargetValidationMetadatas(dto, '', false, false).map((rule) => rule.propertyName);
    let quick = 0;
    // A query each field of which the decorators accept, so that one field at a time can be varied within it.
    const base: Record<string, string> = {};
    for (const field of new Set(fields)) {
      for (const sample of SAMPLES) {
        const result = await outcome(decorators, dto, { [field]: sample });
        if (!('error' in result) || !messagesOf(result).some((message) => message.startsWith(`${field} `))) {
          base[field] = sample;
          break;
        }
      }
    }
    const queries: Array<Record<string, unknown>> = STRUCTURAL.flatMap(([, query]) => [query, { ...base, ...query }]);
    queries.push(base);
    for (const field of new Set([...fields, 'limit', 'cursor'])) {
      for (const sample of SAMPLES) {
        queries.push({ [field]: sample });
        queries.push({ ...base, [field]: sample });
      }
    }
    for (const query of queries) {
      const expected = await outcome(decorators, dto, query);
      expect({ query, outcome: await outcome(app, dto, query) }).toStrictEqual({ query, outcome: expected });
      if (wasQuick(dto, query)) {
        quick += 1;
        expect(expected).toHaveProperty('class', dto.name); // never quick where the decorators refuse
      }
    }
    expect(quick).toBeGreaterThan(0);
  });

  it('takes the quick path for the common lists and leaves refusals to the decorators', async () => {
    expect(wasQuick(ListTargetsQueryDto, { limit: '20' })).toBe(true);
    expect(wasQuick(ListTargetsQueryDto, {})).toBe(true);
    expect(wasQuick(ListTargetsQueryDto, { limit: '20', tag: 'eu-west', kind: 'router', cursor: 'abc' })).toBe(true);
    expect(wasQuick(ListJobsQueryDto, { status: 'queued', targetId: UUID })).toBe(true);
    expect(wasQuick(ListTargetsQueryDto, { limit: '101' })).toBe(false);
    expect(wasQuick(ListTargetsQueryDto, { limit: ['20'] })).toBe(false);
    expect(wasQuick(ListTargetsQueryDto, { tag: 'a\u0000' })).toBe(false);
    const built = (await app.transform(Object.assign(Object.create(null) as object, { limit: '20' }), { type: 'query', metatype: ListTargetsQueryDto })) as object;
    expect(built).toBeInstanceOf(ListTargetsQueryDto);
    expect(built).toStrictEqual(Object.assign(new ListTargetsQueryDto(), { limit: 20 }));
  });

  it('has no plan for classes whose decorators it does not reproduce', () => {
    class Inner {
      @IsString() name: string;
    }
    class Nested {
      @IsOptional() @ValidateNested() @Type(() => Inner) inner?: Inner;
    }
    class Numbered {
      @IsOptional() @Type(() => Number) n?: number;
    }
    class Undecorated {}
    expect(wasQuick(Nested, {})).toBe(false);
    expect(wasQuick(Numbered, { n: '1' })).toBe(false);
    expect(wasQuick(Undecorated, {})).toBe(false);
    expect(QuickQueryCheck.supports({ whitelist: true, forbidNonWhitelisted: true, groups: ['a'] }, undefined)).toBe(false);
    expect(QuickQueryCheck.supports({ whitelist: true, forbidNonWhitelisted: true }, { enableImplicitConversion: true })).toBe(false);
    expect(QuickQueryCheck.supports({ whitelist: true }, undefined)).toBe(false);
  });
});
