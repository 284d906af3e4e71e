import { nameCharacterProblem } from '../../common/validation';

/**
 * The rules of a tenant's name and slug, in one place: the DTOs (HTTP) and the service (HTTP and CLI) both
 * apply them. The schema name is derived from the slug, never taken from input.
 */
export const NAME_MIN = 1;
export const NAME_MAX = 200;
export const SLUG_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
export const SLUG_MIN = 3;
export const SLUG_MAX = 48;
export const SLUG_PATTERN_MESSAGE =
  'slug must be lowercase letters and digits in groups joined by single hyphens, starting with a letter';
export const TENANT_SCHEMA_PREFIX = 'tenant_';

export function nameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return 'name must be a string';
  // PostgreSQL text cannot hold NUL (the INSERT would fail with a 500).
  if (name.includes('\0')) return 'name must not contain NUL characters';
  // A display name is one line: the same rule as the DTOs' `IsName`, for the CLI's create, update, clone and adopt.
  const characterProblem = nameCharacterProblem(name.trim());
  if (characterProblem) return `name ${characterProblem}`;
  // Characters as PostgreSQL's varchar(200) counts them: code points, not UTF-16 units.
  const length = [...name.trim()].length;
  return length < NAME_MIN || length > NAME_MAX ? `name must be ${NAME_MIN}-${NAME_MAX} characters after trimming` : null;
}

export function slugProblem(slug: unknown): string | null {
  if (typeof slug !== 'string') return 'slug must be a string';
  if (slug.length < SLUG_MIN || slug.length > SLUG_MAX) return `slug must be ${SLUG_MIN}-${SLUG_MAX} characters`;
  if (!SLUG_PATTERN.test(slug)) return SLUG_PATTERN_MESSAGE;
  return null;
}

export function schemaNameForSlug(slug: string): string {
  const problem = slugProblem(slug);
  if (problem) throw new Error(problem);
  // Slugs never contain `_`, so replacing `-` with `_` keeps the mapping one-to-one.
  return TENANT_SCHEMA_PREFIX + slug.replace(/-/g, '_');
}
