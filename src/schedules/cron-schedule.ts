import { CronExpressionParser } from 'cron-parser';

const MONTH_AND_DAY_NAMES = /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|sun|mon|tue|wed|thu|fri|sat)\b/gi;
// Digits, names (replaced by digits first), `* , - / ?`, `L` (last) and `#` (nth weekday). Not the hashed `H`,
// whose occurrences depend on a seed, so two instances could disagree on them.
const FIELD = /^[0-9*?,/#L-]+$/;
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
  try {
    CronExpressionParser.parse(fields.join(' '), { tz: 'UTC' }).next();
  } catch (error) {
    return `is not a valid cron expression (${(error as Error).message})`;
  }
  return null;
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
