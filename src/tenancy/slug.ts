/** API.md's slug rules; the schema name is derived, never taken from input. */
export const SLUG_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
export const SLUG_MIN = 3;
export const SLUG_MAX = 48;
export const TENANT_SCHEMA_PREFIX = 'tenant_';

export function slugProblem(slug: unknown): string | null {
  if (typeof slug !== 'string') return 'slug must be a string';
  if (slug.length < SLUG_MIN || slug.length > SLUG_MAX) return `slug must be ${SLUG_MIN}-${SLUG_MAX} characters`;
  if (!SLUG_PATTERN.test(slug)) {
    return 'slug must be lowercase letters and digits in groups joined by single hyphens, starting with a letter';
  }
  return null;
}

export function schemaNameForSlug(slug: string): string {
  const problem = slugProblem(slug);
  if (problem) throw new Error(problem);
  // Slugs never contain `_`, so replacing `-` with `_` keeps the mapping one-to-one.
  return TENANT_SCHEMA_PREFIX + slug.replace(/-/g, '_');
}
