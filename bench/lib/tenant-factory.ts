import type { TenantsService } from '../../src/tenancy/registry/tenants.service';
import { mapConcurrent } from '../../src/common/concurrency';

export interface BenchTenant {
  id: string;
  slug: string;
  schemaName: string;
  apiKey: string;
  name: string;
  createdAt: Date;
}

export interface CreatedTenants {
  tenants: BenchTenant[];
  /** Wall time of each `TenantsService.create`, in creation order. */
  latenciesMs: number[];
  wallMs: number;
}

export function benchSlug(prefix: string, index: number): string {
  return `${prefix}-${String(index).padStart(5, '0')}`;
}

/** Provisions `count` tenants through the real service (key hash, row, schema, migrations) with bounded concurrency. */
export async function createTenants(
  service: TenantsService,
  count: number,
  options: { prefix: string; concurrency: number; onProgress?: (done: number) => void },
): Promise<CreatedTenants> {
  const latenciesMs: number[] = new Array(count);
  let done = 0;
  const started = performance.now();
  const tenants = await mapConcurrent(
    Array.from({ length: count }, (_, i) => i),
    options.concurrency,
    async (i) => {
      const slug = benchSlug(options.prefix, i);
      const t0 = performance.now();
      const { tenant, apiKey } = await service.create(`Bench ${slug}`, slug);
      latenciesMs[i] = performance.now() - t0;
      done += 1;
      if (options.onProgress && (done % 100 === 0 || done === count)) options.onProgress(done);
      return { id: tenant.id, slug, schemaName: tenant.schemaName, apiKey, name: tenant.name, createdAt: tenant.createdAt };
    },
  );
  return { tenants, latenciesMs, wallMs: performance.now() - started };
}
