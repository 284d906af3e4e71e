import type { QueryRunner } from 'typeorm';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The quoted schema a tenant migration runs for. Raw migration SQL runs as written, so every statement
 * names this schema explicitly (an unqualified CREATE TABLE would land in `public`).
 */
export function schemaOf(queryRunner: QueryRunner): string {
  const schema: unknown = queryRunner.data?.schema;
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) {
    throw new Error('tenant migration run without a valid target schema');
  }
  return `"${schema}"`;
}
