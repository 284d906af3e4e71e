import { types } from 'pg';
import { READ_TYPES, readTimestamptz, ReadTimestamp } from './read-timestamps';

const driver = types.getTypeParser(1184, 'text') as (text: string) => Date;

/** PostgreSQL's text of a UTC instant with `micros` microseconds after its second: trailing zeros dropped. */
function postgresText(date: Date, micros: number): string {
  const [day, time] = date.toISOString().slice(0, 19).split('T');
  const fraction = String(micros).padStart(6, '0').replace(/0+$/, '');
  return `${day} ${time}${fraction ? `.${fraction}` : ''}+00`;
}

const FRACTIONS = [0, 500000, 120000, 123000, 123400, 123450, 123456, 999999];

describe('readTimestamptz', () => {
  it('reads what the driver reads, to the millisecond, for UTC texts with 0 to 6 fraction digits', () => {
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647);
    const texts: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const instant = new Date(Date.UTC(1000 + (next() % 9000), next() % 12, 1 + (next() % 28), next() % 24, next() % 60, next() % 60));
      const micros = i % 10 < 8 ? FRACTIONS[i % 10] : next() % 1000000;
      texts.push(postgresText(instant, micros));
    }
    for (const text of texts) {
      const read = readTimestamptz(text);
      expect({ text, iso: read.toISOString(), time: read.getTime() }).toEqual({ text, iso: driver(text).toISOString(), time: driver(text).getTime() });
      expect(read).toBeInstanceOf(ReadTimestamp);
      expect(JSON.stringify({ at: read })).toBe(JSON.stringify({ at: driver(text) }));
    }
  });

  it.each([
    '2026-12-01 18:17:30.123456+05:30',
    '2026-12-01 18:17:30-08',
    '0050-01-02 03:04:05.6+00',
    '0999-12-31 23:59:59.999999+00',
    '10000-01-01 00:00:00+00',
    '2026-12-01 18:17:30+00 BC',
    '2026-12-01 18:17:30.1234567+00',
    'infinity',
    '-infinity',
    'Tue Dec 01 18:17:30.123 2026 UTC',
  ])('leaves %s to the driver', (text) => {
    const read = readTimestamptz(text);
    expect(read).not.toBeInstanceOf(ReadTimestamp);
    expect(read).toEqual(driver(text));
  });

  it('formats anew once the date is set to another time', () => {
    const read = readTimestamptz('2026-12-01 18:17:30.5+00');
    expect(read.toISOString()).toBe('2026-12-01T18:17:30.500Z');
    read.setTime(Date.UTC(2020, 0, 2, 3, 4, 5, 6));
    expect(read.toISOString()).toBe('2020-01-02T03:04:05.006Z');
    expect(JSON.stringify(read)).toBe('"2020-01-02T03:04:05.006Z"');
  });

  it('is used for timestamptz text only; every other type keeps the driver’s parser', () => {
    expect(READ_TYPES.getTypeParser(1184, 'text')).toBe(readTimestamptz);
    expect(READ_TYPES.getTypeParser(1184)).toBe(readTimestamptz);
    for (const oid of [16, 20, 23, 25, 114, 1009, 1114, 1082, 2950, 3802]) expect(READ_TYPES.getTypeParser(oid, 'text')).toBe(types.getTypeParser(oid, 'text'));
    expect(READ_TYPES.getTypeParser(1184, 'binary')).toBe(types.getTypeParser(1184, 'binary'));
  });
});
