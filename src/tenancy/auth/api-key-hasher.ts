import { createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { authMetrics } from './auth-metrics';

// Async pbkdf2 runs on libuv's thread pool, never on the event loop thread.
const pbkdf2Async = promisify(pbkdf2);
const ALGORITHM = 'pbkdf2-sha256';
const SALT_BYTES = 16;
const HASH_BYTES = 32;
export const MIN_ITERATIONS = 100_000;
/** The configuration's upper bound; a stored hash asking for more is treated as tampered with. */
export const MAX_ITERATIONS = 10_000_000;

/** `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`: the parameters travel with the hash. */
export async function hashApiKey(key: string, iterations: number): Promise<string> {
  if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
    throw new Error(`PBKDF2 iterations must be an integer from ${MIN_ITERATIONS} to ${MAX_ITERATIONS}`);
  }
  const salt = randomBytes(SALT_BYTES);
  const hash = await pbkdf2Async(key, salt, iterations, HASH_BYTES, 'sha256');
  return [ALGORITHM, iterations, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** False for a wrong key and for any stored value that is not a well-formed hash of ours (never throws). */
export async function verifyApiKey(key: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 4) return false;
  const [algorithm, iterationsText, saltText, hashText] = parts;
  const iterations = Number(iterationsText);
  if (algorithm !== ALGORITHM || !Number.isInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
    return false;
  }
  const salt = Buffer.from(saltText, 'base64');
  const expected = Buffer.from(hashText, 'base64');
  // An empty or short hash would otherwise compare equal to a derivation of the same (zero) length.
  if (salt.length < SALT_BYTES || expected.length !== HASH_BYTES) return false;
  authMetrics.pbkdf2InFlight.inc();
  authMetrics.pbkdf2Derivations.inc();
  const actual = await pbkdf2Async(key, salt, iterations, HASH_BYTES, 'sha256').finally(() => authMetrics.pbkdf2InFlight.dec());
  const ok = timingSafeEqual(actual, expected);
  if (ok) authMetrics.verifications.inc({ outcome: 'pbkdf2_ok' });
  return ok;
}

/**
 * A 32-bit check tag of a key: HMAC-SHA256 keyed by the salt of its stored hash, truncated. Stored beside the
 * hash, it refuses a wrong secret without PBKDF2 (a random guess passes once in 2^32), so failures cost a tag,
 * not a derivation. It tells nothing useful about the key: 2^224 secrets share each tag. Null for a malformed hash.
 */
export function checkTag(key: string, stored: string): string | null {
  const saltText = stored.split('$')[2];
  if (!saltText) return null;
  return createHmac('sha256', Buffer.from(saltText, 'base64')).update(key).digest('hex').slice(0, 8);
}
