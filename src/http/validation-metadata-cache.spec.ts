import { IsInt, IsOptional, IsString, Max, Min, validate } from 'class-validator';
import { cacheValidationMetadata } from './validation-metadata-cache';

class BaseQueryDto {
  @IsOptional() @IsInt() @Min(1) @Max(100) limit?: number;
}

class ChildQueryDto extends BaseQueryDto {
  @IsOptional() @IsString() tag?: string;
}

const failures = async (value: object) => (await validate(value, { whitelist: true, forbidNonWhitelisted: true })).map((e) => e.property).sort();
const child = (fields: object) => Object.assign(new ChildQueryDto(), fields);

describe('cacheValidationMetadata', () => {
  beforeAll(() => cacheValidationMetadata());

  it('gives the same answers as without the cache, inherited rules included, however often it is asked', async () => {
    for (let round = 0; round < 3; round++) {
      expect(await failures(child({ limit: 0, tag: 1 }))).toEqual(['limit', 'tag']);
      expect(await failures(child({ limit: 20, tag: 'a' }))).toEqual([]);
      expect(await failures(child({ other: 1 }))).toEqual(['other']);
      expect(await failures(Object.assign(new BaseQueryDto(), { limit: 101, tag: 'a' }))).toEqual(['limit', 'tag']);
    }
  });

  it('sees a rule registered after the first validation of a class', async () => {
    class LateDto {
      @IsString() name?: string;
    }
    expect(await failures(Object.assign(new LateDto(), { name: 1 }))).toEqual(['name']);
    class LaterDto extends LateDto {
      @IsInt() count?: number;
    }
    expect(await failures(Object.assign(new LaterDto(), { name: 'x', count: 'y' }))).toEqual(['count']);
    expect(await failures(Object.assign(new LateDto(), { name: 'x' }))).toEqual([]);
  });
});
