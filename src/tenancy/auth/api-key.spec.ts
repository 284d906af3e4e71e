import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { API_KEY_PREFIX, generateApiKey, parseApiKey, toBase62 } from './api-key';

const KEY_FORMAT = /^tnt_([0-9A-Za-z]{12})_([0-9A-Za-z]{49})$/;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Replaces the character at `index` with a different base62 character. */
function mistype(key: string, index: number): string {
  const current = key[index];
  const replacement = BASE62[(BASE62.indexOf(current) + 1) % BASE62.length];
  return key.slice(0, index) + replacement + key.slice(index + 1);
}

describe('API keys', () => {
  it('have the form tnt_<12 base62>_<43 secret + 6 checksum base62>', () => {
    const { key, keyId } = generateApiKey();
    const match = KEY_FORMAT.exec(key);
    expect(match).not.toBeNull();
    expect(match![1]).toBe(keyId);
    expect(key.startsWith(API_KEY_PREFIX)).toBe(true);
  });

  it('always generate (every key id fits its 12 characters) and parse back to the same key id', () => {
    for (let i = 0; i < 2000; i++) {
      const generated = generateApiKey();
      expect(parseApiKey(generated.key)).toEqual(generated);
    }
  });

  it('carry the checksum keys were always given: the CRC-32 bytes of the body in 6 base62 characters', () => {
    // Keys issued before are checked the same way: toBase62 of the CRC's 4 big-endian bytes, zero-padded.
    let padded = 0;
    for (let i = 0; i < 500; i++) {
      const body = `${API_KEY_PREFIX}${generateApiKey().keyId}_${toBase62(randomBytes(32), 43)}`;
      const bytes = Buffer.alloc(4);
      bytes.writeUInt32BE(crc32(Buffer.from(body, 'ascii')));
      const checksum = toBase62(bytes, 6);
      if (checksum.startsWith('0')) padded += 1;
      expect(parseApiKey(body + checksum)).toEqual({ keyId: body.slice(4, 16), key: body + checksum });
      expect(parseApiKey(body + mistype(checksum, 5))).toBeNull();
    }
    expect(padded).toBeGreaterThan(0);
  });

  it('are unique over 1000 generations, and so are their key ids', () => {
    const keys = Array.from({ length: 1000 }, () => generateApiKey());
    expect(new Set(keys.map((k) => k.key)).size).toBe(1000);
    expect(new Set(keys.map((k) => k.keyId)).size).toBe(1000);
  });

  it('carry at least 256 bits of secret (43 base62 characters)', () => {
    const secret = KEY_FORMAT.exec(generateApiKey().key)![2].slice(0, 43);
    expect(secret).toHaveLength(43);
    expect(43 * Math.log2(62)).toBeGreaterThanOrEqual(256);
    // The secret spreads over the whole alphabet rather than a fixed-width encoding padded with zeros.
    const secrets = Array.from({ length: 200 }, () => KEY_FORMAT.exec(generateApiKey().key)![2].slice(0, 43));
    expect(new Set(secrets.map((s) => s[0])).size).toBeGreaterThan(1);
  });

  it('use key ids spread over the whole alphabet in every position', () => {
    const ids = Array.from({ length: 500 }, () => generateApiKey().keyId);
    for (let position = 0; position < 12; position++) {
      expect(new Set(ids.map((id) => id[position])).size).toBeGreaterThan(30);
    }
  });

  describe('parseApiKey refuses anything that is not an intact key', () => {
    const { key } = generateApiKey();

    it('a single mistyped character anywhere in the key id, secret or checksum', () => {
      for (let index = API_KEY_PREFIX.length; index < key.length; index++) {
        if (key[index] === '_') continue;
        expect(parseApiKey(mistype(key, index))).toBeNull();
      }
    });

    it('two swapped adjacent characters', () => {
      const index = key.length - 20;
      const swapped = key.slice(0, index) + key[index + 1] + key[index] + key.slice(index + 2);
      if (swapped !== key) expect(parseApiKey(swapped)).toBeNull();
    });

    it.each([
      ['truncated by one character', key.slice(0, -1)],
      ['truncated to the key id', key.slice(0, 17)],
      ['one extra character', `${key}a`],
      ['surrounding whitespace', ` ${key} `],
      ['a trailing newline', `${key}\n`],
      ['another prefix', `sk_${key.slice(4)}`],
      ['an upper-case prefix', `TNT_${key.slice(4)}`],
      ['the empty string', ''],
      ['only the prefix', 'tnt_'],
      ['a missing separator', key.replace(/_(?=[^_]*$)/, '-')],
      ['a Cyrillic look-alike character', key.slice(0, 10) + '\u0430' + key.slice(11)],
      ['a multi-byte emoji of the same length in UTF-16', key.slice(0, -2) + '\u{1F600}'],
      ['SQL', `tnt_' OR '1'='1_${'a'.repeat(45)}`],
      ['SQL of the right length', `tnt_aaaaaaaaaaaa_${"'; DROP TABLE shared.tenants; --".padEnd(49, 'a')}`],
      ['a NUL byte', key.slice(0, 20) + '\0' + key.slice(21)],
    ])('%s', (_label, presented) => {
      expect(parseApiKey(presented)).toBeNull();
    });

    it('the key id of one key with the secret and checksum of another', () => {
      const other = generateApiKey().key;
      const mixed = key.slice(0, 17) + other.slice(17);
      expect(parseApiKey(mixed)).toBeNull();
    });
  });

  describe('toBase62', () => {
    it('pads to the requested width and refuses values that do not fit', () => {
      expect(toBase62(Buffer.from([0]), 4)).toBe('0000');
      expect(toBase62(Buffer.from([61]), 2)).toBe('0z');
      expect(toBase62(Buffer.from([62]), 2)).toBe('10');
      expect(() => toBase62(Buffer.alloc(9, 0xff), 12)).toThrow(/does not fit/);
    });
  });
});
