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

  it.each(['12345678901234567890', '-98765432109876543210', '1.2345678901234567891e19', '9007199254740993', '6.0200000000000000001e23'])(
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
});
