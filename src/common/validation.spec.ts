import { plainToInstance } from 'class-transformer';
import { IsOptional, validate } from 'class-validator';
import { IsIsoTimestamp, IsLabel, IsName, IsQueryInt, IsText, jsonObjectProblem, LABEL_PATTERN, textProblem } from './validation';

describe('jsonObjectProblem', () => {
  it.each<[string, unknown]>([
    ['an empty object', {}],
    ['nested values', { a: [1, 'two', null, { b: true }] }],
    ['a literal backslash-u0000 text', { a: '\\u0000' }],
    ['a literal backslash-ud800 text', { a: '\\ud800' }],
    ['paired surrogates (emoji)', { a: '😀' }],
  ])('accepts %s', (_case, value) => {
    expect(jsonObjectProblem(value, 1024)).toBeNull();
  });

  it.each<[string, unknown, string]>([
    ['null', null, 'must be a JSON object'],
    ['an array', [], 'must be a JSON object'],
    ['a string', 'x', 'must be a JSON object'],
    ['a NUL character', { a: 'x\u0000' }, 'must not contain NUL characters'],
    ['a NUL character after a backslash', { a: '\\\u0000' }, 'must not contain NUL characters'],
    ['a NUL character in a key', { '\u0000': 1 }, 'must not contain NUL characters'],
    ['a lone high surrogate', { a: '\ud800' }, 'must not contain unpaired surrogates'],
    ['a lone low surrogate after backslashes', { a: '\\\\\udc00' }, 'must not contain unpaired surrogates'],
    ['more than the limit', { a: 'x'.repeat(1024) }, 'must be at most 1 KiB serialized'],
  ])('refuses %s', (_case, value, problem) => {
    expect(jsonObjectProblem(value, 1024)).toBe(problem);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const value = { a: 'é'.repeat(510) }; // 1020 bytes of text + 8 of JSON, in 518 characters
    expect(JSON.stringify(value).length).toBeLessThan(1024);
    expect(jsonObjectProblem(value, 1024)).toBe('must be at most 1 KiB serialized');
  });
});

describe('validation decorators', () => {
  class Sample {
    @IsOptional() @IsText(1, 50) name?: string;
    @IsOptional() @IsQueryInt() limit?: number;
    @IsOptional() @IsIsoTimestamp() at?: string;
    @IsOptional() @IsName(1, 50) label?: string;
    @IsOptional() @IsLabel(1, 50) kind?: string;
    @IsOptional() @IsLabel(1, 50, { each: true }) tags?: string[];
  }

  async function check(plain: Record<string, unknown>): Promise<{ value: Sample; problems: string[] }> {
    const value = plainToInstance(Sample, plain);
    const errors = await validate(value);
    return { value, problems: errors.flatMap((e) => Object.values(e.constraints ?? {})) };
  }

  it.each(['\ud800', 'a\udc00b', '\udc00\ud800', 'x\ud83d'])('IsText refuses a lone surrogate (%j), naming the field', async (name) => {
    expect((await check({ name })).problems).toEqual(['name must not contain unpaired surrogates']);
  });

  it('IsText accepts paired surrogates and plain text', async () => {
    expect((await check({ name: 'router 😀' })).problems).toEqual([]);
  });

  it.each(['a\nb', 'a\rb', 'a\tb', 'Evil\u001b[2K', 'a\u0001', 'a\u001f', 'a\u007f', 'a\u0080', 'a\u009b31m', 'a\u009f'])(
    'IsName refuses a control character (%j), naming the field',
    async (label) => {
      expect((await check({ label })).problems).toEqual(['label must not contain control characters']);
    },
  );

  it('IsName accepts text beyond the control characters, and says NUL, a lone surrogate or a type as IsText does', async () => {
    for (const label of ['Acme Corp', 'café ☕ 😀', 'a\u00a0b', 'a\u00a0\u00ffb', 'שלום', ' ~ ']) expect([label, (await check({ label })).problems]).toEqual([label, []]);
    expect((await check({ label: 'a\u0000b' })).problems).toEqual(['label must not contain NUL characters']);
    expect((await check({ label: 'a\ud800' })).problems).toEqual(['label must not contain unpaired surrogates']);
    expect((await check({ label: 7 })).problems).toContain('label must be a string');
    expect((await check({ label: 7 })).problems).not.toContain('label must not contain control characters');
  });

  it.each(['a\u202eb', '\u202aa', 'a\u202b', 'a\u202c', 'a\u202d', 'a\u2066b\u2069', 'a\u2067', 'a\u2068'])(
    'IsName and IsLabel refuse a bidirectional embedding, override or isolate (%j), naming the field',
    async (text) => {
      expect((await check({ label: text, kind: text, tags: ['ok', text] })).problems).toEqual([
        'label must not contain bidirectional control characters',
        'kind must not contain bidirectional control characters',
        'tags must not contain bidirectional control characters',
      ]);
    },
  );

  it('IsLabel refuses control characters in each value, keeps the bidirectional marks, and takes the value untrimmed', async () => {
    expect((await check({ kind: 'a\nb', tags: ['ok', 'a\u001b[2K'] })).problems).toEqual([
      'kind must not contain control characters',
      'tags must not contain control characters',
    ]);
    const marks = 'שלום\u200e 1\u200f\u061c';
    expect(await check({ kind: ` ${marks} `, tags: [marks], label: ` ${marks} ` })).toEqual({
      value: expect.objectContaining({ kind: ` ${marks} `, tags: [marks], label: marks }),
      problems: [],
    });
  });

  it('LABEL_PATTERN (the OpenAPI pattern) refuses and accepts what the rules do', () => {
    const pattern = new RegExp(LABEL_PATTERN);
    for (const text of ['a\u0000', 'a\nb', 'a\u007f', 'a\u009f', 'a\u202e', 'a\u2069']) expect([text, pattern.test(text)]).toEqual([text, false]);
    for (const text of ['Acme', 'café ☕ 😀', 'שלום\u200e', 'a\u00a0b', 'a\u2065', 'a\u202f']) expect([text, pattern.test(text)]).toEqual([text, true]);
  });

  it.each(['1e1', '0x10', ' 10', '10 ', '+10', '-1', '10.0', '', '12345678901'])('IsQueryInt refuses %j', async (limit) => {
    expect((await check({ limit })).problems).toEqual(['limit must be an integer number']);
  });

  it('IsQueryInt reads plain decimal digits', async () => {
    expect(await check({ limit: '010' })).toEqual({ value: expect.objectContaining({ limit: 10 }), problems: [] });
  });

  it('IsIsoTimestamp hands over the UTC instant, and refuses a timestamp without offset', async () => {
    expect((await check({ at: '2030-01-01t01:00:00+01:00' })).value.at).toBe('2030-01-01T00:00:00.000Z');
    expect((await check({ at: '2030-01-01T00:00:00' })).problems).toEqual([
      'at must be an RFC 3339 date-time with an offset (Z or ±hh:mm) and a year 0001-9999 in UTC',
    ]);
    expect((await check({ at: '9999-12-31T23:00:00-01:00' })).problems).toHaveLength(1);
  });
});

describe('textProblem', () => {
  it('names what cannot be stored as sent', () => {
    expect(textProblem('plain')).toBeNull();
    expect(textProblem('a\u0000')).toBe('must not contain NUL characters');
    expect(textProblem('a\ud800')).toBe('must not contain unpaired surrogates');
  });
});
