import { nameCharacterProblem } from '../../common/validation';
import { API_KEY_SCOPES, isApiKeyScope } from '../auth/api-key-scopes';

export const KEY_NAME_MIN = 1;
export const KEY_NAME_MAX = 100;
export const GRACE_SECONDS_MAX = 604_800;

/** The checks the HTTP DTOs and the CLI share; each answers a message naming the field, or null. */
export function keyNameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return 'name must be a string';
  const trimmed = name.trim();
  if (trimmed.length < KEY_NAME_MIN || trimmed.length > KEY_NAME_MAX) return `name must be ${KEY_NAME_MIN}–${KEY_NAME_MAX} characters`;
  if (trimmed.includes('\u0000')) return 'name must not contain NUL characters';
  const characterProblem = nameCharacterProblem(trimmed);
  if (characterProblem) return `name ${characterProblem}`;
  return null;
}

export function scopesProblem(scopes: unknown): string | null {
  if (!Array.isArray(scopes) || scopes.length === 0) return `scopes must be a non-empty list of ${API_KEY_SCOPES.join(', ')}`;
  const unknown = scopes.filter((scope) => !isApiKeyScope(scope));
  if (unknown.length) return `scopes must each be one of ${API_KEY_SCOPES.join(', ')} (got ${unknown.map(String).join(', ')})`;
  if (new Set(scopes).size !== scopes.length) return 'scopes must not repeat a scope';
  return null;
}

/** `expiresAt` must be in the future: a key born expired is a mistake, not a request. */
export function expiresAtProblem(expiresAt: Date, now = Date.now()): string | null {
  if (Number.isNaN(expiresAt.getTime())) return 'expiresAt must be an ISO 8601 date-time with an offset';
  if (expiresAt.getTime() <= now) return 'expiresAt must be in the future';
  return null;
}

export function graceSecondsProblem(graceSeconds: unknown): string | null {
  if (!Number.isInteger(graceSeconds) || (graceSeconds as number) < 0 || (graceSeconds as number) > GRACE_SECONDS_MAX) {
    return `graceSeconds must be an integer from 0 to ${GRACE_SECONDS_MAX}`;
  }
  return null;
}

/** `90`, `90s`, `15m`, `1h`, `7d` → seconds (the CLI's `--grace`); null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const match = /^(\d{1,7})([smhd]?)$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
}
