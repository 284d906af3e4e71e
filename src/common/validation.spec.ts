import { jsonObjectProblem } from './validation';

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
