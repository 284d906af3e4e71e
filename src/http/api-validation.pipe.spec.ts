import { BadRequestException } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsArray, IsOptional, ValidateNested } from 'class-validator';
import { IsJsonObject, IsText } from '../common/validation';
import { ApiValidationPipe } from './api-validation.pipe';

class EntryDto {
  @IsText(1, 10) label: string;
  @IsOptional() @IsJsonObject(64) data?: Record<string, unknown>;
}

class BodyDto {
  @IsText(1, 10) name: string;
  @IsOptional() @IsJsonObject(1024) metadata?: Record<string, unknown>;
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => EntryDto) entries?: EntryDto[];
}

const pipe = new ApiValidationPipe({ whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true, transform: true });
const asBody = (value: unknown) => pipe.transform(value, { type: 'body', metatype: BodyDto });

async function problem(value: unknown): Promise<unknown> {
  try {
    await asBody(value);
  } catch (error) {
    if (error instanceof BadRequestException) return (error.getResponse() as { message: unknown }).message;
    throw error;
  }
  return null;
}

describe('ApiValidationPipe', () => {
  it('keeps data keys named constructor and prototype in free-form JSON, at any depth', async () => {
    const metadata = { constructor: 'Bob', prototype: 1, nested: { constructor: { name: 'x', constructor: [1, { constructor: null }] } } };
    const entries = [{ label: 'a', data: { constructor: 'Bob' } }];
    const result = (await asBody(JSON.parse(JSON.stringify({ name: 'n', metadata, entries })))) as BodyDto;
    expect(result).toBeInstanceOf(BodyDto);
    expect(result.metadata).toEqual(metadata);
    expect(Object.hasOwn(result.metadata!, 'constructor')).toBe(true);
    expect(result.entries![0]).toBeInstanceOf(EntryDto);
    expect(result.entries![0].data).toEqual({ constructor: 'Bob' });
  });

  it('measures free-form JSON with its constructor key (it is not hidden from the size limit)', async () => {
    const entries = [{ label: 'a', data: { constructor: 'x'.repeat(100) } }];
    expect(await problem({ name: 'n', entries })).toEqual(['entries.0.data must be at most 0.0625 KiB serialized']);
  });

  it.each<[string, unknown, string]>([
    ['a constructor field of the body', { name: 'n', constructor: 'Bob' }, 'property constructor should not exist'],
    ['a constructor field of a nested DTO', { name: 'n', entries: [{ label: 'a', constructor: 'x' }] }, 'property entries.0.constructor should not exist'],
    ['a prototype field of the body', { name: 'n', prototype: 1 }, 'property prototype should not exist'],
  ])('refuses %s as an unknown field', async (_case, value, message) => {
    expect(await problem(value)).toEqual([message]);
  });

  it('names a nested unknown field by its whole path, beside the field it is in and its other problems', async () => {
    const entries = [{ label: 'a' }, { label: 'far too long a label', extra: 1, other: 2 }];
    expect(await problem({ name: 'n', entries, more: true })).toEqual([
      'property more should not exist',
      'entries.1.label must be shorter than or equal to 10 characters',
      'property entries.1.extra should not exist',
      'property entries.1.other should not exist',
    ]);
  });

  it('refuses a __proto__ field of a query', async () => {
    const query = Object.assign(Object.create(null), { name: 'n', ['__proto__']: 'x' }) as object;
    Object.defineProperty(query, '__proto__', { value: 'x', enumerable: true });
    expect(await problem(query)).toEqual(['property __proto__ should not exist']);
  });

  it('leaves the input as it came, also when validation fails', async () => {
    const value = { name: '', metadata: { constructor: 'Bob' } };
    await expect(asBody(value)).rejects.toBeInstanceOf(BadRequestException);
    expect(value).toEqual({ name: '', metadata: { constructor: 'Bob' } });
    expect(Object.hasOwn(value.metadata, 'constructor')).toBe(true);
  });
});
