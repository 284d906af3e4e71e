import { ConfigValidationError, validateEnvironment } from './environment-variables';
import { parseTrustProxy } from './trust-proxy';

describe('parseTrustProxy', () => {
  it('reads "no proxy" from empty, false and 0', () => {
    for (const value of ['', '  ', 'false', 'FALSE', '0']) expect(parseTrustProxy(value)).toBe(false);
  });

  it('reads a hop count', () => {
    expect(parseTrustProxy('1')).toBe(1);
    expect(parseTrustProxy(' 2 ')).toBe(2);
  });

  it('reads addresses, subnets and named ranges', () => {
    expect(parseTrustProxy('loopback')).toEqual(['loopback']);
    expect(parseTrustProxy('10.0.0.0/8, 192.168.1.7 ,uniquelocal,fd00::/8,::1')).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'uniquelocal',
      'fd00::/8',
      '::1',
    ]);
  });

  it('refuses true (any client could choose its own address) and anything that is not an address', () => {
    for (const value of ['true', 'yes', '10.0.0.0/33', '10.0.0.1/8/8', '300.1.1.1', 'example.com', '10.0.0.1;rm -rf', '-1', '1.5']) {
      expect(parseTrustProxy(value)).toBeUndefined();
    }
  });

  it('is validated with the rest of the configuration, naming the variable', () => {
    expect(validateEnvironment({}).TRUST_PROXY).toBe('');
    expect(validateEnvironment({ TRUST_PROXY: 'loopback' }).TRUST_PROXY).toBe('loopback');
    expect(() => validateEnvironment({ TRUST_PROXY: 'true' })).toThrow(ConfigValidationError);
    expect(() => validateEnvironment({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY="true": TRUST_PROXY must be/);
  });
});
