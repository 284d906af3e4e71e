import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

// Async pbkdf2 runs on libuv's thread pool, never on the event loop thread.
const pbkdf2Async = promisify(pbkdf2);
const ALGORITHM = 'pbkdf2-sha256';
const SALT_BYTES = 16;
const HASH_BYTES = 32;
export const MIN_ITERATIONS = 100_000;

/** `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`: the parameters travel with the hash. */
export async function hashApiKey(key: string, iterations: number): Promise<string> {
  if (iterations < MIN_ITERATIONS) throw new Error(`PBKDF2 iterations must be at least ${MIN_ITERATIONS}`);
  const salt = randomBytes(SALT_BYTES);
  const hash = await pbkdf2Async(key, salt, iterations, HASH_BYTES, 'sha256');
  return [ALGORITHM, iterations, salt.toString('base64'), hash.toString('base64')].join('$');
}

export async function verifyApiKey(key: string, stored: string): Promise<boolean> {
  const [algorithm, iterationsText, saltText, hashText] = stored.split('$');
  const iterations = Number(iterationsText);
  if (algorithm !== ALGORITHM || !Number.isInteger(iterations) || !saltText || !hashText) return false;
  const expected = Buffer.from(hashText, 'base64');
  const actual = await pbkdf2Async(key, Buffer.from(saltText, 'base64'), iterations, expected.length, 'sha256');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Spends the same work as a real verification, so an unknown key id answers no faster than a wrong secret. */
export async function burnVerification(iterations: number): Promise<void> {
  await pbkdf2Async('tenantry', 'tenantry-decoy-salt', iterations, HASH_BYTES, 'sha256');
}
