import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * Tenant API keys: `tnt_<keyId>_<secret><checksum>`.
 * - `tnt_` lets secret scanners find leaked keys;
 * - `keyId` (12 base62 chars) is public and finds the tenant row by index;
 * - `secret` is 32 random bytes (256 bits) in 43 base62 chars;
 * - `checksum` is the CRC-32 of everything before it in 6 base62 chars, so a mistyped key is refused
 *   before any cache or database work.
 */
export const API_KEY_PREFIX = 'tnt_';
const KEY_ID_LENGTH = 12;
const SECRET_LENGTH = 43;
const CHECKSUM_LENGTH = 6;
/** The length of every well-formed key. */
export const API_KEY_LENGTH = API_KEY_PREFIX.length + KEY_ID_LENGTH + 1 + SECRET_LENGTH + CHECKSUM_LENGTH;
const KEY_PATTERN = new RegExp(
  `^${API_KEY_PREFIX}([0-9A-Za-z]{${KEY_ID_LENGTH}})_([0-9A-Za-z]{${SECRET_LENGTH}})([0-9A-Za-z]{${CHECKSUM_LENGTH}})$`,
);
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export interface ParsedApiKey {
  keyId: string;
  key: string;
}

export function toBase62(bytes: Buffer, length: number): string {
  let value = BigInt(`0x${bytes.toString('hex') || '0'}`);
  let out = '';
  while (value > 0n) {
    out = BASE62[Number(value % 62n)] + out;
    value /= 62n;
  }
  if (out.length > length) throw new Error(`value does not fit in ${length} base62 characters`);
  return out.padStart(length, '0');
}

/** The CRC-32 of the (ASCII) body in base62: what `toBase62` gives for its 4 bytes, in plain number arithmetic (every request parses a key). */
function checksumOf(body: string): string {
  let value = crc32(body);
  let out = '';
  while (value > 0) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out.padStart(CHECKSUM_LENGTH, '0');
}

/** `length` uniform base62 characters (rejection sampling: bytes >= 248 = 4 × 62 would bias the modulo). */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

export function generateApiKey(): ParsedApiKey {
  // 12 uniform base62 characters, about 71 bits. (Encoding 9 random bytes overflowed: 2^72 > 62^12.)
  const keyId = randomBase62(KEY_ID_LENGTH);
  // 32 bytes = 256 bits < 62^43, so the secret always fits its 43 characters.
  const secret = toBase62(randomBytes(32), SECRET_LENGTH);
  const body = `${API_KEY_PREFIX}${keyId}_${secret}`;
  return { keyId, key: body + checksumOf(body) };
}

/** Shape and checksum only: pure, no I/O. Returns null for anything that cannot be a Tenantry key. */
export function parseApiKey(presented: string): ParsedApiKey | null {
  if (presented.length !== API_KEY_LENGTH) return null;
  const match = KEY_PATTERN.exec(presented);
  if (!match) return null;
  const body = presented.slice(0, presented.length - CHECKSUM_LENGTH);
  if (checksumOf(body) !== match[3]) return null;
  return { keyId: match[1], key: presented };
}
