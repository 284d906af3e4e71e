import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsString, IsUUID, Length, Matches, ValidateBy, ValidateIf, ValidationOptions } from 'class-validator';
import { canonicalIsoTimestamp, isCanonicalIsoTimestamp } from './iso-timestamp';

export const KIB = 1024;

// PostgreSQL text and jsonb cannot hold U+0000, nor jsonb a lone surrogate: refused here as a 400 instead of
// failing as a 500 in the database. Text columns would store a lone surrogate as U+FFFD (so what is stored is
// not what was sent, and two different names could collide): refused everywhere alike.
const NO_NUL = /^[^\u0000]*$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// In JSON.stringify output (escapes preceded by an even number of backslashes; paired surrogates are not escaped).
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/;
const LONE_SURROGATE_ESCAPE = /(?<!\\)(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/i;

// C0 controls (tab and newline included) but NUL, which is refused in all text on its own; DEL; C1 controls. A name
// is one line of display text: a newline or an ESC in it forges lines or drives the terminal it is shown in.
const CONTROL_CHARACTER = /[\u0001-\u001f\u007f-\u009f]/;
export const CONTROL_CHARACTERS_PROBLEM = 'must not contain control characters';

/** Whether a name holds a control character that `IsName` refuses, for the services' own checks (the CLI's paths). */
export function hasControlCharacter(value: string): boolean {
  return CONTROL_CHARACTER.test(value);
}

/** Optional, but when present it must pass the other validators: `null` is refused, never stored. */
export function IsOptionalNotNull(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}

/** What makes a string unstorable as sent (NUL, unpaired surrogate), for inputs outside the DTOs (headers). */
export function textProblem(value: string): string | null {
  if (!NO_NUL.test(value)) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(value)) return 'must not contain unpaired surrogates';
  return null;
}

/**
 * A UUID (any version, any letter case), handed over in lowercase: the spelling the database answers with, so an
 * answer echoes the id as every later read shows it, and a retry spelt in capitals is the same request.
 */
export function IsUuid(options?: ValidationOptions): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value)),
    IsUUID('all', options),
  );
}

/** A string of `min`–`max` characters without NUL characters or unpaired surrogates. */
export function IsText(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return applyDecorators(
    IsString(options),
    Length(min, max, options),
    Matches(NO_NUL, { ...options, message: '$property must not contain NUL characters' }),
    ValidateBy(
      { name: 'hasNoLoneSurrogate', validator: { validate: (value) => typeof value !== 'string' || !LONE_SURROGATE.test(value) } },
      { ...options, message: '$property must not contain unpaired surrogates' },
    ),
  );
}

// What the OpenAPI document states of a name: no control character, NUL included.
const NAME_PATTERN = '^[^\\u0000-\\u001f\\u007f-\\u009f]*$';

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/**
 * A single-line display name (of a tenant, key, target, schedule), trimmed first: `IsText`, and no control characters
 * (U+0001–U+001F, U+007F–U+009F; U+0000 is refused as NUL). Free text (a job's error, a log message) and JSON keep
 * them. The OpenAPI document gets the rule as the property's `pattern`, beside what the DTO's own `@ApiProperty` says.
 */
export function IsName(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return applyDecorators(
    Transform(trimmed),
    ApiProperty({ pattern: NAME_PATTERN }),
    IsText(min, max, options),
    ValidateBy(
      { name: 'hasNoControlCharacter', validator: { validate: (value) => typeof value !== 'string' || !hasControlCharacter(value) } },
      { ...options, message: `$property ${CONTROL_CHARACTERS_PROBLEM}` },
    ),
  );
}

/**
 * A timestamp as `iso-timestamp.ts` accepts it (offset required; year 0001–9999 in UTC), handed to the service
 * as the UTC instant `toISOString()` writes, so no later `new Date()` can read it differently.
 */
export function IsIsoTimestamp(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => canonicalIsoTimestamp(value) ?? value),
    ValidateBy(
      { name: 'isIsoTimestamp', validator: { validate: (value) => typeof value === 'string' && isCanonicalIsoTimestamp(value) } },
      { message: '$property must be an RFC 3339 date-time with an offset (Z or ±hh:mm) and a year 0001-9999 in UTC' },
    ),
  );
}

/**
 * Every item of an array is an object (not null, not an array). `ValidateNested({ each: true })` refuses a null
 * or a string item without naming its index, and takes an array item for a list of items (an empty one passes):
 * this names each such item, `jobs.3 must be an object`. A value that is not an array is left to `IsArray`.
 */
export function IsObjectItems(): PropertyDecorator {
  return ValidateBy({
    name: 'isObjectItems',
    validator: {
      validate: (value: unknown) => !Array.isArray(value) || nonObjectItems(value).length === 0,
      defaultMessage: (args) => {
        const items = nonObjectItems(args?.value as unknown[]).map((index) => `$property.${index}`);
        return `${items.join(', ')} must be ${items.length === 1 ? 'an object' : 'objects'}`;
      },
    },
  });
}

function nonObjectItems(items: unknown[]): number[] {
  const indexes: number[] = [];
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    if (item === null || typeof item !== 'object' || Array.isArray(item)) indexes.push(index);
  }
  return indexes;
}

/** Query integers: only plain decimal digits become numbers (not `1e1`, `0x10`, ` 10`); anything else fails `IsInt`. */
export function IsQueryInt(options?: ValidationOptions): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value)),
    IsInt(options),
  );
}

/** A `@Transform` that hands the field over as it was sent (class-transformer's copy of it is dropped). */
export const fieldAsSent = ({ obj, key }: { obj: unknown; key: string }): unknown => (obj as Record<string, unknown>)[key];

/**
 * A plain JSON object (not an array, not null) of at most `maxBytes` serialized UTF-8 bytes. The field is taken
 * as sent, not rebuilt by class-transformer (which drops keys named `constructor`: here they are data).
 */
export function IsJsonObject(maxBytes: number, options?: ValidationOptions): PropertyDecorator {
  return applyDecorators(
    Transform(fieldAsSent),
    ValidateBy(
    {
      name: 'isJsonObject',
      constraints: [maxBytes],
      validator: {
        validate: (value: unknown) => jsonObjectProblem(value, maxBytes) === null,
        defaultMessage: (args) => `$property ${jsonObjectProblem(args?.value, maxBytes) ?? 'is invalid'}`,
        },
      },
      options,
    ),
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
