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

  it.each(['0 0 30 2 *', 'foo * * * *', '10-5 * * * *', '0 0 * * 5#6'])('refuses %s as invalid', (expression) => {
    expect(cronProblem(expression)).toMatch(/^(is not a valid cron expression|may hold only)/);
  });
});

describe('cron values, ranges and steps beyond their field', () => {
  const step = (value: string, field: string, maxStep: number, range: string) =>
    `has step ${value} in the ${field} field: a step there is 1 to ${maxStep} (the field is ${range})`;

  it.each([
    // cron-parser accepts these, and fires only at the start of the range (minute 0, midnight, the 1st, January, Sunday)
    ['*/61 * * * *', step('61', 'minute', 59, '0-59')],
    ['*/60 * * * *', step('60', 'minute', 59, '0-59')],
    ['0 */25 * * *', step('25', 'hour', 23, '0-23')],
    ['0 */24 * * *', step('24', 'hour', 23, '0-23')],
    ['0 0 */32 * *', step('32', 'day-of-month', 30, '1-31')],
    ['0 0 1-31/31 * *', step('31', 'day-of-month', 30, '1-31')],
    ['0 0 * */13 *', step('13', 'month', 11, '1-12')],
    ['0 0 * * */8', step('8', 'day-of-week', 6, '0-7')],
    ['0 0 * * mon-fri/7', step('7', 'day-of-week', 6, '0-7')],
    ['5/61 * * * *', step('61', 'minute', 59, '0-59')],
    ['0,*/90 * * * *', step('90', 'minute', 59, '0-59')],
    // cron-parser refuses these in words of its own
    ['*/0 * * * *', step('0', 'minute', 59, '0-59')],
    ['0/0 * * * *', step('0', 'minute', 59, '0-59')],
    ['0 0 * * 1-5/00', step('00', 'day-of-week', 6, '0-7')],
    ['5/59 * * * *', 'has step 59 in 5/59 of the minute field, which reaches no value after 5 (up to 59)'],
    ['0-10/20 * * * *', 'has step 20 in 0-10/20 of the minute field, which reaches no value after 0 (up to 10)'],
    ['0 0 * 3-4/2 *', 'has step 2 in 3-4/2 of the month field, which reaches no value after 3 (up to 4)'],
    ['5-70 * * * *', 'has 5-70 in the minute field, beyond 0-59'],
    ['0 0 * JAN-13 *', 'has JAN-13 in the month field, beyond 1-12'],
    ['0 0 * * MON-8', 'has MON-8 in the day-of-week field, beyond 0-7'],
    ['0 0 * * 8#1', 'has 8#1 in the day-of-week field, beyond 0-7'],
    ['0 0 * * 8L', 'has 8L in the day-of-week field, beyond 0-7'],
    ['61 * * * *', 'has 61 in the minute field, beyond 0-59'],
    ['0 24 * * *', 'has 24 in the hour field, beyond 0-23'],
    ['0 0 0 * *', 'has 0 in the day-of-month field, beyond 1-31'],
    ['0 0 1 0-12 *', 'has 0-12 in the month field, beyond 1-12'],
    ['0 0 * * 8', 'has 8 in the day-of-week field, beyond 0-7'],
  ])('refuses %s: %s', (expression, problem) => expect(cronProblem(expression)).toBe(problem));

  it.each(['*/15 * * * *', '1-59/2 * * * *', '*/59 */23 */30 */11 */6', '0 9 * * 1-5', '0 0 * * 0-7', '59 23 31 12 7', '0 0 1-31/2 * *', '0/30 * * * *', '0-10/10 * * * *', '0 0 * * 5/2', '0 9 * JAN-DEC/3 MON-FRI', '0 0 L * *', '0 0 * * 5L', '0 0 * * 5#3', '0 0 ? * *'])(
    'keeps %s valid',
    (expression) => expect(cronProblem(expression)).toBeNull(),
  );
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
