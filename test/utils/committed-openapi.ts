import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The committed document (`npm run openapi` writes it from the code). */
export const COMMITTED_OPENAPI_PATH = join(__dirname, '..', '..', 'openapi.json');

export type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, any>; [section: string]: any };
  [key: string]: any;
};

let cached: OpenApiDocument | undefined;

export function committedOpenApi(): OpenApiDocument {
  cached ??= JSON.parse(readFileSync(COMMITTED_OPENAPI_PATH, 'utf8')) as OpenApiDocument;
  return cached;
}

/** The JSON path of the first difference between two JSON values, or null when they are equal. */
export function firstDifference(a: unknown, b: unknown, path = '$'): string | null {
  if (a === b) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return path;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const difference = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
    if (difference) return difference;
  }
  return null;
}
