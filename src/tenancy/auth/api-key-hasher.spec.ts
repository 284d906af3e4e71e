import { generateApiKey } from './api-key';
import { hashApiKey, MIN_ITERATIONS, verifyApiKey } from './api-key-hasher';

const HASH_FORMAT = /^pbkdf2-sha256\$(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

describe('API key hashing (PBKDF2-SHA256)', () => {
  const { key } = generateApiKey();
  let stored: string;

  beforeAll(async () => {
    stored = await hashApiKey(key, MIN_ITERATIONS);
  });

  it('stores the algorithm, at least 100,000 iterations, a 16-byte salt and a 32-byte hash', () => {
    const match = HASH_FORMAT.exec(stored);
    expect(match).not.toBeNull();
    expect(Number(match![1])).toBeGreaterThanOrEqual(100_000);
    expect(Buffer.from(match![2], 'base64')).toHaveLength(16);
    expect(Buffer.from(match![3], 'base64')).toHaveLength(32);
    expect(stored).not.toContain(key);
  });

  it('salts every hash: two hashes of the same key differ', async () => {
    const again = await hashApiKey(key, MIN_ITERATIONS);
    expect(again).not.toBe(stored);
    expect(again.split('$')[2]).not.toBe(stored.split('$')[2]);
    expect(await verifyApiKey(key, again)).toBe(true);
  });

  it('verifies the right key and refuses another', async () => {
    expect(await verifyApiKey(key, stored)).toBe(true);
    expect(await verifyApiKey(generateApiKey().key, stored)).toBe(false);
    expect(await verifyApiKey(key.slice(0, -1), stored)).toBe(false);
    expect(await verifyApiKey('', stored)).toBe(false);
  });

  it('uses the iteration count stored with the hash', async () => {
    const slower = await hashApiKey(key, MIN_ITERATIONS + 1);
    expect(slower.split('$')[1]).toBe(String(MIN_ITERATIONS + 1));
    expect(await verifyApiKey(key, slower)).toBe(true);
  });

  describe('refuses (false, never throws, never true) a tampered stored hash', () => {
    const parts = () => stored.split('$');
    const withPart = (index: number, value: string) => {
      const p = parts();
      p[index] = value;
      return p.join('$');
    };

    it.each([
      ['another algorithm', () => withPart(0, 'pbkdf2-sha1')],
      ['a changed iteration count', () => withPart(1, String(MIN_ITERATIONS + 7))],
      ['iterations below the minimum', () => withPart(1, '1')],
      ['zero iterations', () => withPart(1, '0')],
      ['non-numeric iterations', () => withPart(1, 'many')],
      ['absurd iterations', () => withPart(1, '999999999999')],
      ['another salt', () => withPart(2, Buffer.alloc(16, 7).toString('base64'))],
      ['an empty salt', () => withPart(2, '')],
      ['a flipped bit in the hash', () => {
        const hash = Buffer.from(parts()[3], 'base64');
        hash[0] ^= 1;
        return withPart(3, hash.toString('base64'));
      }],
      ['a truncated hash', () => withPart(3, Buffer.from(parts()[3], 'base64').subarray(0, 16).toString('base64'))],
      ['an empty hash', () => withPart(3, '')],
      ['a hash that decodes to nothing', () => withPart(3, '!!!')],
      ['a one-byte hash', () => withPart(3, 'AA==')],
      ['a missing part', () => parts().slice(0, 3).join('$')],
      ['an extra part', () => `${stored}$x`],
      ['garbage', () => 'not a hash'],
      ['the empty string', () => ''],
    ])('%s', async (_label, tamper) => {
      await expect(verifyApiKey(key, tamper())).resolves.toBe(false);
    });
  });

  it('refuses to hash with fewer than 100,000 iterations', async () => {
    await expect(hashApiKey(key, 99_999)).rejects.toThrow(/at least|100000/);
    await expect(hashApiKey(key, 1)).rejects.toThrow();
    await expect(hashApiKey(key, Number.NaN)).rejects.toThrow();
  });
});
