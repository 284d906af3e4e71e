/** A plain JSON object (what `JSON.parse` builds), not an array or a class instance. */
export type PlainRecord = Record<string, unknown>;

type QuickCheck = (value: unknown) => object | null;

const checks = new Map<Function, QuickCheck>();

/**
 * Quick checks for the large request bodies (batches of up to 1,000 items): class-transformer and class-validator
 * cost tens of microseconds per item. A quick check accepts a body only when it is certain that the DTO's
 * decorators accept it — a subset of what they accept, tested with the same rule functions — and then builds
 * the instance the ValidationPipe would build; anything else (null) goes through the decorators, which also word
 * every error. So what is accepted, what is refused and every message stay those of the decorators.
 */
export function registerQuickCheck<T extends object>(dto: new () => T, check: (value: unknown) => T | null): void {
  checks.set(dto, check);
}

/** The instance a registered quick check built for `value`, or null (then validate as usual). */
export function quickChecked(dto: Function | undefined, value: unknown): object | null {
  const check = dto && checks.get(dto);
  return check ? check(value) : null;
}

/** `value` is a plain object whose own keys are all among `allowed` (which a whitelisting pipe keeps). */
export function isPlainRecordOf(value: unknown, allowed: ReadonlySet<string>): value is PlainRecord {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key of Object.keys(value)) if (!allowed.has(key)) return false;
  return true;
}

/** Printable ASCII of `min`–`max` characters: passes `IsText(min, max)` whatever else it checks (no NUL, no surrogates). */
export function isPlainText(value: unknown, min: number, max: number): value is string {
  if (typeof value !== 'string' || value.length < min || value.length > max) return false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return false;
  }
  return true;
}

/** An integer in `min`–`max`, as `IsInt`, `Min` and `Max` accept it. */
export function isIntIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
