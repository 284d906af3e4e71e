import { keyNameProblem } from '../keys/api-key-rules';
import { nameProblem, schemaNameForSlug, slugProblem } from './tenant-rules';

describe('slugs', () => {
  it.each(['abc', 'acme', 'acme-corp', 'a1b', 'a-1', 'x1-2-3', 'abc123-def456', 'a'.repeat(48), `a${'-b'.repeat(23)}x`])(
    'accepts %s',
    (slug) => {
      expect(slugProblem(slug)).toBeNull();
    },
  );

  it.each([
    ['too short', 'ab'],
    ['too long', 'a'.repeat(49)],
    ['empty', ''],
    ['upper case', 'Acme'],
    ['leading digit', '1abc'],
    ['leading hyphen', '-abc'],
    ['trailing hyphen', 'abc-'],
    ['double hyphen', 'ab--cd'],
    ['underscore', 'ab_cd'],
    ['space', 'ab cd'],
    ['dot', 'ab.cd'],
    ['path traversal', '../x'],
    ['slash', 'abc/def'],
    ['SQL injection', `x"; DROP SCHEMA shared CASCADE; --`],
    ['quote', `abc'`],
    ['unicode letter', 'caf\u00e9'],
    ['Cyrillic look-alike', '\u0430bc'],
    ['trailing newline', 'abc\n'],
    ['NUL byte', 'abc\0'],
  ])('refuses %s', (_label, slug) => {
    expect(slugProblem(slug)).toMatch(/^slug /);
    expect(() => schemaNameForSlug(slug)).toThrow(/^slug /);
  });

  it.each([undefined, null, 42, ['abc'], { slug: 'abc' }])('refuses a non-string (%p)', (slug) => {
    expect(slugProblem(slug)).toBe('slug must be a string');
  });

  it('maps a slug to tenant_<slug> with hyphens as underscores', () => {
    expect(schemaNameForSlug('acme')).toBe('tenant_acme');
    expect(schemaNameForSlug('a-b-c')).toBe('tenant_a_b_c');
    expect(schemaNameForSlug('acme-corp-2')).toBe('tenant_acme_corp_2');
  });

  it('never maps two slugs to one schema', () => {
    expect(schemaNameForSlug('ab-c')).not.toBe(schemaNameForSlug('a-bc'));
    expect(schemaNameForSlug('abc-d')).not.toBe(schemaNameForSlug('abcd'));
    const slugs = ['abc', 'ab-c', 'a-bc', 'a-b-c', 'abc1', 'abc-1', 'ab-c1', 'a-bc-1', 'a1-bc'];
    expect(new Set(slugs.map(schemaNameForSlug)).size).toBe(slugs.length);
  });

  it('keeps the longest schema name within PostgreSQL\'s 63-byte identifier limit', () => {
    const schema = schemaNameForSlug('a'.repeat(48));
    expect(schema).toBe(`tenant_${'a'.repeat(48)}`);
    expect(Buffer.byteLength(schema)).toBeLessThanOrEqual(63);
  });
});

describe('names (the CLI\'s and the services\' check)', () => {
  it('a tenant or key name with a control or bidirectional control character is refused; surrounding whitespace is trimmed and other text passes', () => {
    for (const name of ['Acme\nid: forged', 'a\tb', 'Evil\u001b]0;pwned\u0007', 'a\u007f', 'a\u009b31m']) {
      expect([name, nameProblem(name), keyNameProblem(name)]).toEqual([name, 'name must not contain control characters', 'name must not contain control characters']);
    }
    for (const name of ['admin\u202etxt.exe', '\u2066Acme\u2069']) {
      expect([name, nameProblem(name), keyNameProblem(name)]).toEqual([name, 'name must not contain bidirectional control characters', 'name must not contain bidirectional control characters']);
    }
    for (const name of ['Acme Corp\n', '\tAcme', 'café 😀\u00a0', 'שלום\u200f']) expect([name, nameProblem(name), keyNameProblem(name)]).toEqual([name, null, null]);
  });
});
