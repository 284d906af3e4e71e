import { firstInexactNumber, isStoredExactly } from './inexact-json-number';

describe('isStoredExactly', () => {
  it.each([
    '6.02e23',
    '1e300',
    '-1E+300',
    '9007199254740991',
    '9007199254740992',
    '-9007199254740992',
    '12345678901234567000',
    '1.2345678901234567e19',
    '123456789012345670000.000',
    '1.5',
    '0.12345678901234567890',
    '1e400',
  ])('%s', (written) => expect(isStoredExactly(written)).toBe(true));

  it.each([
    '12345678901234567890',
    '-98765432109876543210',
    '1.2345678901234567891e19',
    '9007199254740993',
    '6.0200000000000000001e23',
    '9007199254740991.5',
    '100000000000000000000.5',
  ])(
    'not %s',
    (written) => expect(isStoredExactly(written)).toBe(false),
  );
});

describe('firstInexactNumber', () => {
  it('names the first inexact number by its dotted path, as written', () => {
    const text = '{"jobs":[{"payload":{"n":1}},{"payload":{"a":[0,{"n":12345678901234567890}]}}]}';
    expect(firstInexactNumber(text)).toEqual({ path: 'jobs.1.payload.a.1.n', written: '12345678901234567890' });
  });

  it('reads keys with escapes and skips digits, quotes and brackets inside strings', () => {
    const text = '{"s":"12345678901234567890 \\" ] } , [","k\\u0065y":{"x\\"y":[ -98765432109876543210 ]}}';
    expect(firstInexactNumber(text)).toEqual({ path: 'key.x"y.0', written: '-98765432109876543210' });
  });

  it('skips a key that is digits, white space and a byte order mark', () => {
    expect(firstInexactNumber('\ufeff{ "12345678901234567890" :\n\t12345678901234567891 }')).toEqual({
      path: '12345678901234567890',
      written: '12345678901234567891',
    });
  });

  it('finds nothing in a body whose large numbers are all exact', () => {
    expect(firstInexactNumber('{"a":9007199254740992,"b":[6.02e23,1e300,true,null,false],"c":"12345678901234567890"}')).toBeNull();
  });

  it('judges only the value JSON.parse kept of a key sent twice', () => {
    const replaced = '{"a":12345678901234567890,"a":1,"b":9007199254740992}';
    expect(firstInexactNumber(replaced, JSON.parse(replaced))).toBeNull();
    const kept = '{"a":{"x":98765432109876543210},"a":{"x":12345678901234567890}}';
    expect(firstInexactNumber(kept, JSON.parse(kept))).toEqual({ path: 'a.x', written: '12345678901234567890' });
  });

  it('reads a long run of zeros in one pass (a trailing-zero regex was quadratic in it)', () => {
    // 400,000 zeros: the old regex took minutes on this; the pass is linear. Inexact: the 1 at the end is lost.
    const written = `1${'0'.repeat(400_000)}1e-399980`;
    const text = `{"n":${written}}`;
    expect(firstInexactNumber(text, JSON.parse(text))).toEqual({ path: 'n', written });
  });
});
