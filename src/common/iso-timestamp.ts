/**
 * Timestamps in requests: an RFC 3339 date-time (the `date-time` of OpenAPI), i.e. ISO 8601
 * `YYYY-MM-DDTHH:mm:ss[.fraction]` with an offset `Z` or `±hh:mm`. Parsed here rather than by `Date.parse`,
 * which reads a string without offset in the server's time zone and years 0–99 as 1900–1999.
 * Accepted as the instant they are: any year 0001–9999 (after conversion to UTC), lowercase `t`/`z`
 * (RFC 3339 §5.6), `-00:00`, and fractions of any length up to 9 digits (truncated to milliseconds).
 * Refused: no offset, no seconds, leap second `:60`, `24:00`, impossible dates.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
/** What `Date.prototype.toISOString` writes for years 0001–9999: the form the API answers with, and its cursors. */
const CANONICAL = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export const ISO_TIMESTAMP_RULE =
  'An RFC 3339 date-time with an offset (`Z` or `±hh:mm`), e.g. `2030-01-01T00:00:00Z`; year 0001–9999 after conversion to UTC. ' +
  'Lowercase `t`/`z` are accepted; fractions beyond milliseconds are truncated.';

/** The instant `value` names, as `toISOString()` writes it, or null when it is not a timestamp the API accepts. */
export function canonicalIsoTimestamp(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = RFC3339.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const [sign, offsetHours, offsetMinutes] = [match[8], Number(match[9] ?? 0), Number(match[10] ?? 0)];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // not Date.UTC, which maps years 0–99 to 1900–1999
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null; // 2024-02-30 rolled over
  date.setUTCHours(hour, minute, second, millis);
  const offset = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const canonical = new Date(date.getTime() - offset).toISOString();
  return CANONICAL.test(canonical) ? canonical : null;
}

/** True for exactly what `toISOString()` writes for years 0001–9999 (so PostgreSQL's timestamptz holds it). */
export function isCanonicalIsoTimestamp(value: string): boolean {
  return CANONICAL.test(value) && new Date(value).toISOString() === value;
}
