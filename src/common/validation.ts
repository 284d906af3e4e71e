import { applyDecorators } from '@nestjs/common';
import { IsISO8601, IsString, Length, Matches, ValidateBy, ValidateIf, ValidationOptions } from 'class-validator';

export const KIB = 1024;

// PostgreSQL text and jsonb cannot hold U+0000, nor jsonb a lone surrogate: refused here as a 400 instead of
// failing as a 500 in the database.
const NO_NUL = /^[^\u0000]*$/;
// In JSON.stringify output (escapes preceded by an even number of backslashes; paired surrogates are not escaped).
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/;
const LONE_SURROGATE_ESCAPE = /(?<!\\)(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/i;

/** Optional, but when present it must pass the other validators: `null` is refused, never stored. */
export function IsOptionalNotNull(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}

/** A string of `min`–`max` characters without NUL characters. */
export function IsText(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return applyDecorators(
    IsString(options),
    Length(min, max, options),
    Matches(NO_NUL, { ...options, message: '$property must not contain NUL characters' }),
  );
}

/** An ISO 8601 date-time with a four-digit year, so it always fits PostgreSQL's timestamptz. */
export function IsIsoTimestamp(): PropertyDecorator {
  return applyDecorators(
    IsISO8601({ strict: true }, { message: '$property must be an ISO 8601 date-time' }),
    Matches(/^\d{4}-\d{2}-\d{2}T/, { message: '$property must be an ISO 8601 date-time (YYYY-MM-DDTHH:mm:ss…)' }),
  );
}

/** A plain JSON object (not an array, not null) of at most `maxBytes` serialized UTF-8 bytes. */
export function IsJsonObject(maxBytes: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isJsonObject',
      constraints: [maxBytes],
      validator: {
        validate: (value: unknown) => jsonObjectProblem(value, maxBytes) === null,
        defaultMessage: (args) => `$property ${jsonObjectProblem(args?.value, maxBytes) ?? 'is invalid'}`,
      },
    },
    options,
  );
}

export function jsonObjectProblem(value: unknown, maxBytes: number): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be a JSON object';
  const serialized = JSON.stringify(value);
  if (Buffer.byteLength(serialized, 'utf8') > maxBytes) return `must be at most ${maxBytes / KIB} KiB serialized`;
  if (NUL_ESCAPE.test(serialized)) return 'must not contain NUL characters';
  if (LONE_SURROGATE_ESCAPE.test(serialized)) return 'must not contain unpaired surrogates';
  return null;
}
