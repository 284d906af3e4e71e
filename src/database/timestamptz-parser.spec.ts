import { types } from 'pg';
import { parseTimestamptz, PG_TYPES, ReadTimestamp } from './timestamptz-parser';

const pgParse = types.getTypeParser(1184, 'text') as (text: string) => Date | number | null;
const same = (text: string) => expect([text, +parseTimestamptz(text)]).toEqual([text, +(pgParse(text) as Date)]);

describe('parseTimestamptz', () => {
  it('reads what pg reads, for every fraction length and offset form', () => {
    for (const fraction of ['', '.1', '.12', '.123', '.1234', '.12345', '.123456', '.999999', '.000001'])
      for (const offset of ['+00', '-00', '+01', '-05', '+05:30', '-03:30', '+14', '-12', '+00:09:21', '-00:25:21'])
        same(`2026-12-01 18:20:06${fraction}${offset}`);
  });

  it('reads what pg reads over many random instants and offsets', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    for (let i = 0; i < 5000; i++) {
      const date = new Date(Date.UTC(100, 0, 1) + random() * (Date.UTC(9999, 11, 31) - Date.UTC(100, 0, 1)));
      const micros = pad(Math.floor(random() * 1e6), 6).replace(/0+$/, '');
      const hours = Math.floor(random() * 15);
      const minutes = random() < 0.3 ? [0, 30, 45][Math.floor(random() * 3)] : 0;
      const offset = `${random() < 0.5 ? '-' : '+'}${pad(hours)}${minutes ? `:${pad(minutes)}` : ''}`;
      const text =
        `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
        `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${micros ? `.${micros}` : ''}${offset}`;
      same(text);
    }
  });

  it('hands everything else to pg: early and late years, BC, infinity, malformed text', () => {
    for (const text of ['0099-03-01 10:00:00+00', '0001-01-01 00:00:00+00', '12026-01-01 00:00:00+00', '2026-12-01 18:20:06+00 BC', '0044-03-15 12:00:00+00 BC'])
      same(text);
    expect(parseTimestamptz('infinity')).toBe(pgParse('infinity'));
    expect(parseTimestamptz('-infinity')).toBe(pgParse('-infinity'));
    for (const text of ['2026-12-01 18:2x:06+00', '2026-12-01 18:20:06+5', '2026-12-01 18:20:06.5+05:3', '2026-12-01T18:20:06+00'])
      expect(String(parseTimestamptz(text))).toBe(String(pgParse(text)));
  });

  it('is what the pools use for timestamptz, and pg’s own parsers for every other type', () => {
    expect(PG_TYPES.getTypeParser(1184, 'text')).toBe(parseTimestamptz);
    for (const oid of [16, 20, 23, 25, 114, 1082, 1114, 2950, 3802]) expect(PG_TYPES.getTypeParser(oid, 'text')).toBe(types.getTypeParser(oid, 'text'));
  });

  it('keeps the ISO text of a UTC text, which toISOString and JSON then give as pg’s Date would', () => {
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647);
    for (let i = 0; i < 5000; i++) {
      const instant = new Date(Date.UTC(1000 + (next() % 9000), next() % 12, 1 + (next() % 28), next() % 24, next() % 60, next() % 60));
      const micros = String(i % 10 < 8 ? [0, 500000, 120000, 123000, 123400, 123450, 123456, 999999][i % 10] : next() % 1000000).padStart(6, '0').replace(/0+$/, '');
      const text = `${instant.toISOString().slice(0, 10)} ${instant.toISOString().slice(11, 19)}${micros ? `.${micros}` : ''}+00`;
      const read = parseTimestamptz(text);
      const expected = pgParse(text) as Date;
      expect(read).toBeInstanceOf(ReadTimestamp);
      expect([text, read.toISOString(), JSON.stringify({ at: read })]).toEqual([text, expected.toISOString(), JSON.stringify({ at: expected })]);
    }
    for (const text of ['2026-12-01 18:20:06.5+05:30', '2026-12-01 18:20:06-00', '0999-12-31 23:59:59.9+00', '0150-01-01 00:00:00+00'])
      expect([text, parseTimestamptz(text) instanceof ReadTimestamp]).toEqual([text, false]);
  });

  it('formats a ReadTimestamp anew once it is set to another time', () => {
    const read = parseTimestamptz('2026-12-01 18:17:30.5+00');
    expect(read.toISOString()).toBe('2026-12-01T18:17:30.500Z');
    read.setTime(Date.UTC(2020, 0, 2, 3, 4, 5, 6));
    expect(read.toISOString()).toBe('2020-01-02T03:04:05.006Z');
    expect(JSON.stringify(read)).toBe('"2020-01-02T03:04:05.006Z"');
  });
});
