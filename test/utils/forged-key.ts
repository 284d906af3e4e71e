import { crc32 } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { parseApiKey, toBase62 } from '../../src/tenancy/auth/api-key';

/**
 * A well-formed key (valid checksum, computed here with zlib's CRC-32 rather than the product's own code) for
 * the key id of `key`, with another secret: what anyone who has seen a key's prefix can forge.
 */
export function forgedKeyFor(key: string): string {
  const body = `${key.slice(0, 17)}${toBase62(randomBytes(32), 43)}`;
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.from(body, 'ascii')));
  const forged = body + toBase62(crc, 6);
  if (parseApiKey(forged)?.keyId !== parseApiKey(key)?.keyId) throw new Error('the forged key does not parse to the key id it was made for');
  return forged;
}
