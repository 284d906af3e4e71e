import { CronExpressionParser } from 'cron-parser';

// Digits, names (replaced by digits first), `* , - / ?`, `L` (last) and `#` (nth weekday). Not the hashed `H`,
// whose occurrences depend on a seed, so two instances could disagree on them.
const FIELD = /^[0-9*?,/#L-]+$/;
// Each field's values, and the largest step that reaches a second value: a larger one fires only at the start of
// its range (`*/61` in the minute field is minute 0 of every hour), which no one who writes it means. Day of week
// is 0-7 with Sunday both 0 and 7, so a step of 7 reaches Sunday only.
// Names stand for the field's values in order: months from 1, days from 0 (Sunday).
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const FIELDS = [
  { name: 'minute', min: 0, max: 59, maxStep: 59, names: [] as string[] },
  { name: 'hour', min: 0, max: 23, maxStep: 23, names: [] as string[] },
  { name: 'day-of-month', min: 1, max: 31, maxStep: 30, names: [] as string[] },
  { name: 'month', min: 1, max: 12, maxStep: 11, names: MONTHS },
  { name: 'day-of-week', min: 0, max: 7, maxStep: 6, names: DAYS },
] as const;
const MONTH_AND_DAY_NAMES = new RegExp(`\\b(?:${[...MONTHS, ...DAYS].join('|')})\\b`, 'gi');
// An element of a field as digits (`numbered`), a value or a range (`*` and `?` are left to the parser), and its step.
const VALUE_OR_RANGE = /^(\d+)(?:-(\d+))?$/;
const STEP = /\/(\d+)$/;
// `Area/Location` names (`Europe/Paris`, `America/Argentina/Buenos_Aires`, `Etc/GMT+1`) and `UTC`; no offsets.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

/** Why `expression` is not a five-field cron expression (minute hour day-of-month month day-of-week), or null. */
export function cronProblem(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    return `must have exactly 5 fields (minute hour day-of-month month day-of-week), not ${fields.length}`;
  }
  if (fields.some((field) => !FIELD.test(field.replace(MONTH_AND_DAY_NAMES, '0')))) {
    return 'may hold only digits, month and day names, * , - / ? L and #';
  }
  for (const [index, field] of fields.entries()) {
    const problem = fieldProblem(field, FIELDS[index]);
    if (problem) return problem;
  }
  try {
    CronExpressionParser.parse(fields.join(' '), { tz: 'UTC' }).next();
  } catch (error) {
    return `is not a valid cron expression (${(error as Error).message})`;
  }
  return null;
}

/**
 * A value, range bound or step of `field` beyond the field's values (`61`, `5-70`, `JAN-13`, `8#1`, `*\/0`, `*\/61`):
 * the parser refuses some in words of its own and accepts large steps, firing only at the start of their range.
 */
function fieldProblem(field: string, { name, min, max, maxStep, names }: (typeof FIELDS)[number]): string | null {
  for (const element of field.split(',')) {
    const step = STEP.exec(element)?.[1];
    const base = element.split('/')[0];
    const [, from, to] = VALUE_OR_RANGE.exec(numbered(base, names, min)) ?? [];
    if (step !== undefined && (Number(step) < 1 || Number(step) > maxStep)) {
      return `has step ${step} in the ${name} field: a step there is 1 to ${maxStep} (the field is ${min}-${max})`;
    }
    const outside = [from, to].some((bound) => bound !== undefined && (Number(bound) < min || Number(bound) > max));
    if (outside) return `has ${base} in the ${name} field, beyond ${min}-${max}`;
    // A step must reach a second value of its own range too: `5/59` is minute 5 only, `0-10/20` minute 0 only.
    const start = base === '*' ? min : from === undefined ? null : Number(from);
    const end = to !== undefined ? Number(to) : max;
    if (step !== undefined && start !== null && start + Number(step) > end) {
      return `has step ${step} in ${element} of the ${name} field, which reaches no value after ${start} (up to ${end})`;
    }
  }
  return null;
}

/**
 * The values of an element as digits, for the range check: the field's names as numbers (`JAN-13` is `1-13`), and
 * the day of a weekday's `5L` (last Friday) or `8#1` (first …); anything else (`*`, `L`, a name of another field)
 * stays as it is, for the parser to judge.
 */
function numbered(base: string, names: readonly string[], first: number): string {
  const named = base.toLowerCase().replace(/[a-z]{3}/g, (word) => {
    const index = names.indexOf(word);
    return index === -1 ? word : String(index + first);
  });
  return named.replace(/^(\d+)(?:#\d+|l)$/, '$1');
}

/** Why `zone` is not an IANA time zone name, or null. */
export function timeZoneProblem(zone: string): string | null {
  const refused = 'must be an IANA time zone name such as UTC or Europe/Paris';
  if (!ZONE_NAME.test(zone)) return refused;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    CronExpressionParser.parse('0 0 * * *', { tz: zone }).next();
  } catch {
    return refused;
  }
  return null;
}

/**
 * The zone as IANA spells it when `zone` differs only in letter case (`europe/paris` is `Europe/Paris`), so what is
 * stored and shown is the name. A zone Intl answers with another name (`America/Argentina/Buenos_Aires`, whose CLDR
 * name is `America/Buenos_Aires`) stays as sent, in whatever letters; anything that is not a zone is returned as it
 * is, for `timeZoneProblem` to refuse.
 */
export function canonicalZoneCase(zone: unknown): unknown {
  if (typeof zone !== 'string' || !ZONE_NAME.test(zone)) return zone;
  try {
    const named = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    return named.toLowerCase() === zone.toLowerCase() ? named : zone;
  } catch {
    return zone;
  }
}

/** The first occurrence of a valid `cron` in `zone` strictly after `after`. */
export function nextOccurrence(cron: string, zone: string, after: Date): Date {
  return CronExpressionParser.parse(cron.trim().split(/\s+/).join(' '), { tz: zone, currentDate: after }).next().toDate();
}
