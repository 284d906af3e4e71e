/** A number as written in a JSON text that its double cannot hold, and where it is (`jobs.3.payload.n`). */
export interface InexactJsonNumber {
  path: string;
  written: string;
}

type Frame = { kind: 'object'; key: string; expectsKey: boolean } | { kind: 'array'; index: number };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The first number in `text` (valid JSON: it has been parsed) whose value as written is not the value of the double
 * `JSON.parse` makes of it, as stored and read back (`12345678901234567890` is stored as `12345678901234567000`),
 * among those beyond ±(2^53−1); or null. Smaller numbers are not judged: an integer there is exact, and a fraction
 * with more digits than a double keeps (`0.12345678901234567890`) is ordinary float precision. Strings are
 * skipped (a digit run inside one is data), and so is a number whose place in `parsed` holds another value (a later
 * duplicate key replaced it). Only called for a body holding such a number; linear in the text's length.
 */
export function firstInexactNumber(text: string, parsed?: unknown): InexactJsonNumber | null {
  const stack: Frame[] = [];
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (code === QUOTE) {
      const end = stringEnd(text, i);
      if (top?.kind === 'object' && top.expectsKey) {
        const raw = text.slice(i + 1, end - 1);
        top.key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        top.expectsKey = false;
      }
      i = end;
    } else if (code === 0x7b /* { */) {
      stack.push({ kind: 'object', key: '', expectsKey: true });
      i++;
    } else if (code === 0x5b /* [ */) {
      stack.push({ kind: 'array', index: 0 });
      i++;
    } else if (code === 0x7d /* } */ || code === 0x5d /* ] */) {
      stack.pop();
      i++;
    } else if (code === 0x2c /* , */) {
      if (top?.kind === 'array') top.index++;
      else if (top) top.expectsKey = true;
      i++;
    } else if (code === 0x2d /* - */ || (code >= 0x30 && code <= 0x39)) {
      let end = i + 1;
      while (isNumberChar(text.charCodeAt(end))) end++;
      // 15 characters hold at most 15 significant digits, which a double always keeps (DBL_DIG).
      if (end - i > 15) {
        const written = text.slice(i, end);
        if (!isStoredExactly(written) && (parsed === undefined || valueAt(parsed, stack) === Number(written))) {
          return { path: pathOf(stack), written };
        }
      }
      i = end;
    } else {
      i++; // `:`, white space, a byte order mark, the letters of true, false and null
    }
  }
  return null;
}

/** Whether the double of `written` (a JSON number) is the number written, or is within ±(2^53−1). */
export function isStoredExactly(written: string): boolean {
  const double = Number(written);
  if (Math.abs(double) <= Number.MAX_SAFE_INTEGER || !Number.isFinite(double)) return true;
  const shortest = String(double);
  return shortest === written || canonical(written) === canonical(shortest);
}

/** The index just past the string starting at `start`: its first closing quote not escaped by a backslash. */
function stringEnd(text: string, start: number): number {
  let quote = text.indexOf('"', start + 1);
  while (quote !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    quote = text.indexOf('"', quote + 1);
  }
  return text.length;
}

/** Digits, `.`, `e`, `E`, `+` and `-`: what a JSON number is made of. */
function isNumberChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || code === 0x2e || code === 0x65 || code === 0x45 || code === 0x2b || code === 0x2d;
}

/** The value `JSON.parse` kept at the scanner's place (its own properties only), or undefined. */
function valueAt(parsed: unknown, stack: Frame[]): unknown {
  let node = parsed;
  for (const frame of stack) {
    const key = frame.kind === 'object' ? frame.key : frame.index;
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

function pathOf(stack: Frame[]): string {
  return stack.map((frame) => (frame.kind === 'object' ? frame.key : String(frame.index))).join('.');
}

/** A decimal number as `sign digits e exponent`, without leading or trailing zeros: equal for equal values. */
function canonical(number: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(number);
  if (!match) return number;
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  const all = whole + fraction;
  // By hand: `/0+$/` retries from every zero of a long run, quadratic in the run (a 1 MB body, minutes).
  let start = 0;
  while (start < all.length && all.charCodeAt(start) === 0x30) start++;
  let end = all.length;
  while (end > start && all.charCodeAt(end - 1) === 0x30) end--;
  const scale = Number(exponent) - fraction.length + (all.length - end);
  return end > start ? `${sign}${all.slice(start, end)}e${scale}` : '0';
}
