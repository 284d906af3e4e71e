import type { QueryRunner } from 'typeorm';
import { quoteSchema } from '../src/database/schema-name';

/**
 * The quoted schema a tenant migration runs for. Raw migration SQL runs as written, so every statement
 * names this schema explicitly (an unqualified CREATE TABLE would land in `public`).
 */
export function schemaOf(queryRunner: QueryRunner): string {
  const schema: unknown = queryRunner.data?.schema;
  if (typeof schema !== 'string') throw new Error('tenant migration run without a target schema');
  return quoteSchema(schema);
}
