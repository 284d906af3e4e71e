import { canonicalZoneCase, cronProblem, nextOccurrence, timeZoneProblem } from './cron-schedule';

describe('cron expressions', () => {
  it.each(['* * * * *', '0 9 * * 1-5', '*/15 0-6 1,15 * *', '0 0 L * *', '0 9 * * MON#2', '30 2 29 feb ?', '0 0 * * 7'])(
    'accepts %s',
    (expression) => expect(cronProblem(expression)).toBeNull(),
  );

  it.each([
    ['0 0 9 * * *', 'must have exactly 5 fields (minute hour day-of-month month day-of-week), not 6'],
    ['* * * *', 'must have exactly 5 fields (minute hour day-of-month month day-of-week), not 4'],
    ['@daily', 'must have exactly 5 fields (minute hour day-of-month month day-of-week), not 1'],
    ['H * * * *', 'may hold only digits, month and day names, * , - / ? L and #'],
    ['0 0 1W * *', 'may hold only digits, month and day names, * , - / ? L and #'],
  ])('refuses %s: %s', (expression, problem) => expect(cronProblem(expression)).toBe(problem));

  it.each(['61 * * * *', '*/0 * * * *', '0 0 30 2 *', '0 0 * * 8', 'foo * * * *'])('refuses %s as invalid', (expression) => {
    expect(cronProblem(expression)).toMatch(/^(is not a valid cron expression|may hold only)/);
  });
});

describe('time zones', () => {
  it.each(['UTC', 'Europe/Paris', 'America/Argentina/Buenos_Aires', 'Etc/GMT+1'])('accepts %s', (zone) =>
    expect(timeZoneProblem(zone)).toBeNull(),
  );
  it.each(['Mars/Olympus', '+01:00', 'Europe/', '', 'Europe/Paris; DROP'])('refuses %j', (zone) =>
    expect(timeZoneProblem(zone)).toBe('must be an IANA time zone name such as UTC or Europe/Paris'),
  );
});

describe('nextOccurrence', () => {
  it('is strictly after the given instant', () => {
    expect(nextOccurrence('0 9 * * *', 'UTC', new Date('2026-12-01T09:00:00.000Z')).toISOString()).toBe('2026-12-02T09:00:00.000Z');
    expect(nextOccurrence('*/5 * * * *', 'UTC', new Date('2026-12-01T09:02:59.999Z')).toISOString()).toBe('2026-12-01T09:05:00.000Z');
  });

  it('reads the hours in the time zone, daylight saving time included', () => {
    expect(nextOccurrence('0 9 * * *', 'Europe/Paris', new Date('2026-12-01T00:00:00Z')).toISOString()).toBe('2026-12-01T08:00:00.000Z');
    expect(nextOccurrence('0 9 * * *', 'Europe/Paris', new Date('2026-07-01T00:00:00Z')).toISOString()).toBe('2026-07-01T07:00:00.000Z');
  });
});

describe('canonicalZoneCase', () => {
  it.each([
    ['europe/paris', 'Europe/Paris'],
    ['UTC', 'UTC'],
    ['utc', 'UTC'],
    ['AMERICA/NEW_YORK', 'America/New_York'],
    ['asia/calcutta', 'Asia/Calcutta'],
    ['america/argentina/buenos_aires', 'america/argentina/buenos_aires'],
    ['Asia/Calcutta', 'Asia/Calcutta'],
    ['Mars/Base', 'Mars/Base'],
    ['+02:00', '+02:00'],
  ])('%s -> %s', (zone, named) => {
    expect(canonicalZoneCase(zone)).toBe(named);
  });
});
