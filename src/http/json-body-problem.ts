import { firstInexactNumber } from './inexact-json-number';

const MAX_JSON_DEPTH = 64;
// Echoed in the refusal up to this many characters.
const MAX_ECHOED_NUMBER = 40;
// The root of every JSON body is a DTO, never free-form data: these keys there are unknown fields (class-transformer
// would skip them silently instead of letting the whitelist refuse them).
const ROOT_FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Every route's body is a DTO: an object, never an array or a bare value. */
const NOT_AN_OBJECT = 'Request body must be a JSON object';

/**
 * What no payload needs and the validation layer does not catch: a body that is not an object (an array, a string,
 * a number, `null`; `undefined` is no JSON body at all); nesting deeper than 64 levels (recursive validation would
 * overflow the stack); a number beyond ±1.8e308 (`JSON.parse` makes it Infinity, which would be stored as `null`);
 * a number beyond ±(2^53−1) that its double does not hold as written, integer or not (`12345678901234567890` would
 * be stored as `12345678901234567000`; judged on `text()`, the body as sent, read only when the parsed body holds a
 * number that large); and what could pollute a prototype, at any depth — a `__proto__` key, or a `constructor` key
 * holding an object with a `prototype` key (the rules of `secure-json-parse`). Keys merely named `constructor` or
 * `prototype` inside free-form JSON (metadata, payload, result, log data) are data.
 */
export function jsonBodyProblem(value: unknown, text?: () => string | null, limit = MAX_JSON_DEPTH): string | null {
  if (value === undefined) return null;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return NOT_AN_OBJECT;
  for (const key of Object.keys(value)) if (ROOT_FORBIDDEN_KEYS.has(key)) return `property ${key} should not exist`;
  const stack: Array<[unknown, number]> = [[value, 1]];
  let beyondSafeIntegers = false;
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (typeof node === 'number') {
      if (!Number.isFinite(node)) return `${pathTo(value, node, limit) ?? 'a number'} is too large a number (beyond ±1.8e308)`;
      if (node > Number.MAX_SAFE_INTEGER || node < -Number.MAX_SAFE_INTEGER) beyondSafeIntegers = true;
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return `Request body is nested deeper than ${limit} levels`;
    for (const key of Object.keys(node)) {
      const child = (node as Record<string, unknown>)[key];
      if (key === '__proto__') return 'property __proto__ should not exist';
      if (key === 'constructor' && child !== null && typeof child === 'object' && Object.hasOwn(child, 'prototype')) {
        return 'property constructor.prototype should not exist';
      }
      stack.push([child, depth + 1]);
    }
  }
  return beyondSafeIntegers ? inexactNumberProblem(value, text?.() ?? null) : null;
}

function inexactNumberProblem(value: unknown, text: string | null): string | null {
  const inexact = text === null ? null : firstInexactNumber(text, value);
  if (!inexact) return null;
  const written = inexact.written.length > MAX_ECHOED_NUMBER ? `${inexact.written.slice(0, MAX_ECHOED_NUMBER)}…` : inexact.written;
  return `${inexact.path}: ${written} cannot be stored exactly (beyond ±9007199254740991 a number keeps only a double's digits); send it as a string`;
}

/**
 * The dotted path (`jobs.0.payload.n`, as validation messages name fields) of an occurrence of `target` within
 * `limit` levels (a branch nested deeper may not have been measured yet: it is not entered).
 */
function pathTo(node: unknown, target: unknown, limit: number, path = ''): string | null {
  if (node === null || typeof node !== 'object' || limit === 0) return null;
  for (const key of Object.keys(node)) {
    const child = (node as Record<string, unknown>)[key];
    const here = path ? `${path}.${key}` : key;
    if (Object.is(child, target)) return here;
    const found = pathTo(child, target, limit - 1, here);
    if (found) return found;
  }
  return null;
}
