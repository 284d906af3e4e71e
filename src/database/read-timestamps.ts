import { types } from 'pg';

const TIMESTAMPTZ_OID = 1184;

/**
 * A `timestamptz` as PostgreSQL sent it, which keeps the ISO text it was read from: `toISOString` (and so
 * `JSON.stringify`) answer it without formatting the date again. Set to another time, it formats as any Date.
 */
export class ReadTimestamp extends Date {
  constructor(
    private readonly readTime: number,
    private readonly readIso: string,
  ) {
    super(readTime);
  }

  override toISOString(): string {
    return this.getTime() === this.readTime ? this.readIso : super.toISOString();
  }
}

const defaultTimestamptz = types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date;

/**
 * Reads PostgreSQL's text of a `timestamptz` in UTC (`2026-12-01 18:17:30.123456+00`: DateStyle ISO, TimeZone
 * UTC, 0–6 fraction digits) by position, without the driver's regular expressions, to the same instant at the
 * same millisecond (truncated, as the driver does). Any other text (another zone or DateStyle, a year outside
 * 1000–9999, BC, infinity) takes the driver's own parser.
 */
export function readTimestamptz(text: string): Date {
  const n = text.length;
  if (
    n < 22 || n > 29 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32 ||
    text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58 || !text.endsWith('+00') || (n > 22 && text.charCodeAt(19) !== 46)
  ) {
    return defaultTimestamptz(text);
  }
  const year = Number(text.slice(0, 4));
  const millis = n > 22 ? (text.slice(20, n - 3) + '00').slice(0, 3) : '000';
  const time = Date.UTC(year, Number(text.slice(5, 7)) - 1, Number(text.slice(8, 10)), Number(text.slice(11, 13)), Number(text.slice(14, 16)), Number(text.slice(17, 19)), Number(millis));
  if (!Number.isInteger(time) || year < 1000) return defaultTimestamptz(text);
  return new ReadTimestamp(time, `${text.slice(0, 10)}T${text.slice(11, 19)}.${millis}Z`);
}

/** The driver's type parsers, with `readTimestamptz` for `timestamptz` text: for a query's `types`. */
export const READ_TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): unknown {
    return oid === TIMESTAMPTZ_OID && format !== 'binary' ? readTimestamptz : types.getTypeParser(oid, format);
  },
};
