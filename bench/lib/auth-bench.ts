import type { ApiKeyVerifierService } from '../../src/tenancy/auth/api-key-verifier.service';
import { percentile } from './stats';

export interface AuthCost {
  coldSamples: number;
  /** One verification of a key the cache has not seen: row lookup by key id + PBKDF2, in µs. */
  coldP50Us: number;
  coldP99Us: number;
  warmIterations: number;
  /** Mean cost of a verification answered from the cache, in µs. */
  warmUs: number;
}

/**
 * `ApiKeyVerifierService.verify` in-process. Cold: each key verified for the first time, one at a time.
 * Warm: the same keys again, now cached, `warmIterations` times round robin.
 */
export async function measureAuth(verifier: ApiKeyVerifierService, keys: string[], warmIterations: number): Promise<AuthCost> {
  const cold: number[] = [];
  for (const key of keys) {
    const started = process.hrtime.bigint();
    await verifier.verify(key, '127.0.0.1');
    cold.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  for (let i = 0; i < Math.min(warmIterations, 10_000); i++) await verifier.verify(keys[i % keys.length], '127.0.0.1');
  const started = process.hrtime.bigint();
  for (let i = 0; i < warmIterations; i++) await verifier.verify(keys[i % keys.length], '127.0.0.1');
  const warmUs = Number(process.hrtime.bigint() - started) / 1000 / warmIterations;
  return { coldSamples: cold.length, coldP50Us: percentile(cold, 50), coldP99Us: percentile(cold, 99), warmIterations, warmUs };
}
