import { isIP } from 'node:net';
import { ValidateBy, ValidationOptions } from 'class-validator';

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrSubnet(item: string): boolean {
  if (NAMED_RANGES.has(item)) return true;
  const [address, prefix, ...rest] = item.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY as Express's `trust proxy` setting, or undefined when it is not valid: empty/`false`/`0` = no
 * proxy (the socket address is the client); a number = that many proxy hops in front; otherwise a
 * comma-separated list of proxy addresses, subnets (CIDR) or `loopback`/`linklocal`/`uniquelocal`.
 * `true` (trust every hop) is refused: the left-most X-Forwarded-For entry is whatever the client wrote,
 * so a client could pick its own address and escape the per-address authentication throttle.
 */
export function parseTrustProxy(value: string): false | number | string[] | undefined {
  const text = value.trim().toLowerCase();
  if (text === '' || text === 'false' || text === '0') return false;
  if (/^\d{1,2}$/.test(text)) return Number(text);
  const items = text.split(',').map((item) => item.trim());
  return items.every(isAddressOrSubnet) ? items : undefined;
}

export function IsTrustProxy(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTrustProxy',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseTrustProxy(value) !== undefined,
        defaultMessage: () =>
          'TRUST_PROXY must be empty, a number of proxy hops, or a comma-separated list of proxy addresses, CIDR subnets, loopback, linklocal or uniquelocal',
      },
    },
    options,
  );
}
