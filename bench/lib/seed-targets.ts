import { Pool } from 'pg';
import { mapConcurrent } from '../../src/common/concurrency';
import type { BenchTenant } from './tenant-factory';

/**
 * Writes `perTenant` targets straight into every tenant's `targets` table (the layout of the
 * CreateDomainTables migration), one statement per tenant, and returns each tenant's first target id.
 * Seeding 20,000 targets through POST /targets took minutes on a busy 2-core machine; the write path is
 * measured by the writes scenario instead, and every read scenario first checks GET /targets over HTTP.
 */
export async function seedTargets(databaseUrl: string, tenants: BenchTenant[], perTenant: number): Promise<string[]> {
  const pool = new Pool({ connectionString: databaseUrl, max: 4 });
  try {
    return await mapConcurrent(tenants, 4, async (tenant) => {
      const schema = `"${tenant.schemaName}"`; // derived by schemaNameForSlug: [a-z0-9_] only
      const { rows } = await pool.query<{ id: string }>(
        `INSERT INTO ${schema}."targets" ("id", "name", "kind", "address", "tags", "metadata", "created_at", "updated_at")
         SELECT gen_random_uuid(), 'target-' || i, 'http', 'https://t' || i || '.example', ARRAY['bench', 'n' || (i % 5)],
                jsonb_build_object('rack', i), now() - make_interval(secs => i), now() - make_interval(secs => i)
           FROM generate_series(0, $1 - 1) AS i
         RETURNING "id"`,
        [perTenant],
      );
      return rows[0].id;
    });
  } finally {
    await pool.end();
  }
}
