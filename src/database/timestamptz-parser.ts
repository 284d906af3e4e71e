import { types } from 'pg';
import type { CustomTypesConfig } from 'pg';

const TIMESTAMPTZ_OID = 1184;
const COLON = 58;
const parseAnyTimestamptz = types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date;

/** The number written by `count` ASCII digits from `from`, or NaN. */
function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return value;
}

/** Seconds east of UTC in `±HH`, `±HH:MM` or `±HH:MM:SS` from `at` to the end, or NaN. */
function offsetSeconds(text: string, at: number): number {
  const sign = text.charCodeAt(at);
  if (sign !== 43 && sign !== 45) return NaN;
  const length = text.length - at - 1;
  if (length !== 2 && length !== 5 && length !== 8) return NaN;
  let seconds = digits(text, at + 1, 2) * 3600;
  if (length >= 5) seconds += text.charCodeAt(at + 3) === COLON ? digits(text, at + 4, 2) * 60 : NaN;
  if (length === 8) seconds += text.charCodeAt(at + 6) === COLON ? digits(text, at + 7, 2) : NaN;
  return sign === 45 ? -seconds : seconds;
}

/**
 * A `timestamptz` as PostgreSQL sent it in UTC, which keeps the ISO text it was read from: `toISOString` (and so
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

/**
 * A `timestamptz` in PostgreSQL's text output (DateStyle ISO: `2026-12-01 18:20:06.123456+00`, the offset `±HH`,
 * `±HH:MM` or `±HH:MM:SS`) as the same Date pg's own parser (postgres-date) gives — milliseconds truncated — read
 * by character codes instead of three regular expressions: a claim reads five timestamps per job. Anything else
 * (years before 100 or past 9999, BC, infinity, other styles) goes to pg's parser. A UTC text (`+00`: the
 * session TimeZone is UTC) of a year from 1000 gives a `ReadTimestamp`, so an answer listing it formats nothing.
 */
export function parseTimestamptz(text: string): Date {
  if (
    text.length >= 22 &&
    text.charCodeAt(4) === 45 &&
    text.charCodeAt(7) === 45 &&
    text.charCodeAt(10) === 32 &&
    text.charCodeAt(13) === COLON &&
    text.charCodeAt(16) === COLON
  ) {
    const year = digits(text, 0, 4);
    let at = 19;
    let ms = 0;
    if (text.charCodeAt(at) === 46) {
      at += 1;
      for (let place = 100; at < text.length; at++, place /= 10) {
        const digit = text.charCodeAt(at) - 48;
        if (digit < 0 || digit > 9) break;
        if (place >= 1) ms += digit * place;
      }
    }
    const time =
      Date.UTC(year, digits(text, 5, 2) - 1, digits(text, 8, 2), digits(text, 11, 2), digits(text, 14, 2), digits(text, 17, 2), ms) -
      offsetSeconds(text, at) * 1000;
    if (year >= 1000 && at === text.length - 3 && text.endsWith('+00') && !Number.isNaN(time)) {
      return new ReadTimestamp(time, `${text.slice(0, 10)}T${text.slice(11, 19)}.${String(ms).padStart(3, '0')}Z`);
    }
    if (year >= 100 && !Number.isNaN(time)) return new Date(time);
  }
  return parseAnyTimestamptz(text);
}

/** pg's type parsers, `timestamptz` (text) through `parseTimestamptz`: every pool of the app (`poolConfig`). */
export const PG_TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMPTZ_OID && format !== 'binary' ? parseTimestamptz : types.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};
