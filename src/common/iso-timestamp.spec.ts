import { canonicalIsoTimestamp, isCanonicalIsoTimestamp } from './iso-timestamp';

describe('canonicalIsoTimestamp', () => {
  it.each<[string, string]>([
    ['2030-01-01T00:00:00Z', '2030-01-01T00:00:00.000Z'],
    ['2030-05-06T07:08:09.123Z', '2030-05-06T07:08:09.123Z'],
    ['2030-01-01T05:30:00+05:30', '2030-01-01T00:00:00.000Z'],
    ['2030-01-01T00:00:00-00:00', '2030-01-01T00:00:00.000Z'],
    ['2030-01-01t00:00:00z', '2030-01-01T00:00:00.000Z'],
    ['2024-02-29T00:00:00.123456789Z', '2024-02-29T00:00:00.123Z'],
    ['0050-03-01T12:00:00+01:00', '0050-03-01T11:00:00.000Z'], // year 50, not 1950
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['9999-12-31T22:00:00-01:00', '9999-12-31T23:00:00.000Z'],
  ])('reads %s as %s', (value, instant) => {
    expect(canonicalIsoTimestamp(value)).toBe(instant);
  });

  it.each([
    ['no offset (would be read in the local time zone)', '2030-01-01T00:00:00'],
    ['year 10000 after conversion to UTC', '9999-12-31T23:00:00-01:00'],
    ['year 0 after conversion to UTC', '0001-01-01T00:30:00+01:00'],
    ['year 0', '0000-01-01T00:00:00Z'],
    ['an expanded year', '+010000-01-01T00:00:00Z'],
    ['no seconds', '2030-01-01T00:00Z'],
    ['a date only', '2030-01-01'],
    ['February 30th', '2024-02-30T00:00:00Z'],
    ['February 29th of a common year', '2023-02-29T00:00:00Z'],
    ['month 13', '2030-13-01T00:00:00Z'],
    ['hour 24', '2030-01-01T24:00:00Z'],
    ['a leap second', '2030-06-30T23:59:60Z'],
    ['offset minutes 60', '2030-01-01T00:00:00+01:60'],
    ['a space for T', '2030-01-01 00:00:00Z'],
    ['10 fraction digits', '2030-01-01T00:00:00.1234567890Z'],
    ['a number', 1_700_000_000_000],
  ])('refuses %s', (_case, value) => {
    expect(canonicalIsoTimestamp(value)).toBeNull();
  });
});

describe('isCanonicalIsoTimestamp', () => {
  it('accepts what toISOString writes for years 0001-9999', () => {
    expect(isCanonicalIsoTimestamp('2030-01-01T00:00:00.000Z')).toBe(true);
    expect(isCanonicalIsoTimestamp('0001-01-01T00:00:00.000Z')).toBe(true);
  });

  it.each(['0000-01-01T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', '2030-02-30T00:00:00.000Z', '2030-01-01T00:00:00Z'])(
    'refuses %s (PostgreSQL cannot store it, or it is not what the server writes)',
    (value) => {
      expect(isCanonicalIsoTimestamp(value)).toBe(false);
    },
  );
});
