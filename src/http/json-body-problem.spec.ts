import { jsonBodyProblem } from './json-body-problem';

const parse = (text: string) => JSON.parse(text) as unknown;

describe('jsonBodyProblem', () => {
  it.each([
    ['a constructor key holding a string', '{"metadata":{"constructor":"Bob"}}'],
    ['a prototype key', '{"metadata":{"prototype":{"isAdmin":true}}}'],
    ['a constructor key holding an object without prototype', '{"payload":{"constructor":{"name":"Bob"}}}'],
    ['a constructor key in an array item', '{"entries":[{"data":{"constructor":1}}]}'],
    ['64 nested objects', '{"a":'.repeat(64) + '1' + '}'.repeat(64)],
    ['the largest doubles', '{"max":1.7976931348623157e308,"min":-1.7976931348623157e308,"tiny":5e-324}'],
  ])('accepts %s', (_case, text) => {
    expect(jsonBodyProblem(parse(text))).toBeNull();
  });

  it.each([
    ['__proto__ at the root', '{"__proto__":{"isAdmin":true}}', 'property __proto__ should not exist'],
    ['__proto__ nested', '{"metadata":{"a":{"__proto__":{"x":1}}}}', 'property __proto__ should not exist'],
    ['__proto__ holding a string', '{"metadata":{"__proto__":"x"}}', 'property __proto__ should not exist'],
    ['constructor.prototype nested', '{"metadata":{"constructor":{"prototype":{"x":1}}}}', 'property constructor.prototype should not exist'],
    ['constructor.prototype in an array', '{"entries":[{"data":{"constructor":{"prototype":null}}}]}', 'property constructor.prototype should not exist'],
    ['constructor at the root (an unknown field)', '{"constructor":"Bob"}', 'property constructor should not exist'],
    ['prototype at the root (an unknown field)', '{"prototype":1}', 'property prototype should not exist'],
    ['65 nested objects', '{"a":'.repeat(65) + '1' + '}'.repeat(65), 'Request body is nested deeper than 64 levels'],
    ['an array', '[{"name":"n"}]', 'Request body must be a JSON object'],
    ['a string', '"x"', 'Request body must be a JSON object'],
    ['a number', '1', 'Request body must be a JSON object'],
    ['null', 'null', 'Request body must be a JSON object'],
    ['a number beyond a double', '{"payload":{"n":1e400}}', 'payload.n is too large a number (beyond ±1.8e308)'],
    ['a negative one in an array', '{"jobs":[{"payload":{"list":[1,-1e999]}}]}', 'jobs.0.payload.list.1 is too large a number (beyond ±1.8e308)'],
    ['one at the root', '{"priority":1e309}', 'priority is too large a number (beyond ±1.8e308)'],
  ])('refuses %s', (_case, text, problem) => {
    expect(jsonBodyProblem(parse(text))).toBe(problem);
  });
});

describe('jsonBodyProblem and integers a double cannot hold', () => {
  const problem = (text: string) => jsonBodyProblem(parse(text), () => text);
  const inexact = (path: string, written: string) =>
    `${path}: ${written} cannot be stored exactly (beyond ±9007199254740991 a number keeps only a double's digits); send it as a string`;

  it.each([
    ['an integer of 20 digits', '{"payload":{"n":12345678901234567890}}', inexact('payload.n', '12345678901234567890')],
    ['a negative one in a batch item', '{"jobs":[{"payload":{}},{"payload":{"list":[1,-98765432109876543210]}}]}', inexact('jobs.1.payload.list.1', '-98765432109876543210')],
    ['one written with an exponent', '{"metadata":{"n":1.2345678901234567891e19}}', inexact('metadata.n', '1.2345678901234567891e19')],
    ['2^53 + 1', '{"priority":9007199254740993}', inexact('priority', '9007199254740993')],
    ['a long one, echoed in part', `{"n":1${'1'.repeat(60)}}`, inexact('n', `${'1'.repeat(40)}…`)],
  ])('refuses %s', (_case, text, expected) => {
    expect(problem(text)).toBe(expected);
  });

  it.each([
    ['numbers a double holds as written', '{"a":6.02e23,"b":1e300,"c":9007199254740992,"d":-9007199254740991,"e":1.5,"f":12345678901234567000}'],
    ['a fraction with more digits than a double keeps', '{"a":0.12345678901234567890}'],
    ['inexact digits inside strings only', '{"a":"12345678901234567890","12345678901234567890":1}'],
  ])('accepts %s', (_case, text) => {
    expect(problem(text)).toBeNull();
  });

  it('reads the text only when a number is beyond ±(2^53−1)', () => {
    const text = jest.fn(() => '{"a":12345678901234567890}');
    expect(jsonBodyProblem({ a: 1, b: [2.5, -3] }, text)).toBeNull();
    expect(text).not.toHaveBeenCalled();
    expect(jsonBodyProblem({ a: 12345678901234567890 }, text)).toBe(inexact('a', '12345678901234567890'));
    expect(text).toHaveBeenCalledTimes(1);
  });

  it('refuses a number beyond a double first, and accepts when the text is not at hand', () => {
    expect(problem('{"a":12345678901234567890,"b":1e400}')).toBe('b is too large a number (beyond ±1.8e308)');
    expect(jsonBodyProblem(parse('{"a":12345678901234567890}'))).toBeNull();
  });
});

describe('jsonBodyProblem without a JSON body', () => {
  it('finds nothing to refuse (the route decides whether it needs one)', () => {
    expect(jsonBodyProblem(undefined)).toBeNull();
  });
});

describe('jsonBodyProblem and a number beyond a double beside a deep branch', () => {
  it('names it without entering the branch (which is then refused for its depth)', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const problem = jsonBodyProblem(parse(`{"a":${deep},"b":1e400}`));
    expect(['b is too large a number (beyond ±1.8e308)', 'Request body is nested deeper than 64 levels']).toContain(problem);
  });
});
