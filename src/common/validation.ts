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
const CONTROL_RANGES = '\\u0001-\\u001f\\u007f-\\u009f';
// The bidirectional embeddings, overrides and isolates: they reorder how the text after them is shown, so a name
// could be shown as another ("Trojan Source"). The marks U+200E, U+200F and U+061C stay: right-to-left text uses them.
const BIDI_CONTROL_RANGES = '\\u202a-\\u202e\\u2066-\\u2069';
const CONTROL_CHARACTER = new RegExp(`[${CONTROL_RANGES}]`);
const BIDI_CONTROL = new RegExp(`[${BIDI_CONTROL_RANGES}]`);
export const CONTROL_CHARACTERS_PROBLEM = 'must not contain control characters';
export const BIDI_CONTROLS_PROBLEM = 'must not contain bidirectional control characters';

/**
 * What `IsName` / `IsLabel` refuse in a value beyond `IsText`'s rules (without the field's name), for the services'
 * own checks (the CLI's paths); null when there is none.
 */
export function nameCharacterProblem(value: string): string | null {
  if (CONTROL_CHARACTER.test(value)) return CONTROL_CHARACTERS_PROBLEM;
  if (BIDI_CONTROL.test(value)) return BIDI_CONTROLS_PROBLEM;
  return null;
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

/** What the OpenAPI document states of a name or label (`pattern`): none of the characters above, nor NUL. */
export const LABEL_PATTERN = `^[^\\u0000${CONTROL_RANGES}${BIDI_CONTROL_RANGES}]*$`;

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/**
 * A short single-line string that identifies or labels something (a job's type, a worker's id, a target's kind or
 * tags): `IsText`, and no control characters (U+0001–U+001F, U+007F–U+009F; U+0000 is refused as NUL) nor
 * bidirectional controls (U+202A–U+202E, U+2066–U+2069), taken as sent. Free text (a job's error, a log message)
 * and JSON keep them. With `each`, the DTO states `LABEL_PATTERN` in its array's `items`; otherwise the OpenAPI
 * document gets it as the property's `pattern`, beside what the DTO's own `@ApiProperty` says.
 */
export function IsLabel(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  const rule = (name: string, problem: string, refused: RegExp) =>
    ValidateBy(
      { name, validator: { validate: (value) => typeof value !== 'string' || !refused.test(value) } },
      { ...options, message: `$property ${problem}` },
    );
  return applyDecorators(
    ...(options?.each ? [] : [ApiProperty({ pattern: LABEL_PATTERN })]),
    IsText(min, max, options),
    rule('hasNoControlCharacter', CONTROL_CHARACTERS_PROBLEM, CONTROL_CHARACTER),
    rule('hasNoBidiControl', BIDI_CONTROLS_PROBLEM, BIDI_CONTROL),
  );
}

/** A display name (of a tenant, key, target, schedule): `IsLabel`, trimmed first. */
export function IsName(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return applyDecorators(Transform(trimmed), IsLabel(min, max, options));
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
