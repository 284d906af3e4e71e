import type { HeaderObject, ReferenceObject } from '@nestjs/swagger';

/** Response headers of the API, declared once under `components.headers` and referenced by name. */
export const RESPONSE_HEADERS = {
  'X-Request-Id': {
    description:
      "The request's id in the server's log: the client's own `X-Request-Id` when it is 1–128 characters of " +
      '`A-Za-z0-9._:-`, else a UUID. Error bodies repeat it as `requestId`.',
    required: true,
    schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
  },
  'Retry-After': {
    description: 'Seconds to wait before retrying.',
    schema: { type: 'integer', minimum: 0 },
  },
  // draft-ietf-httpapi-ratelimit-headers-11 (structured fields); the policy is named "tenant".
  'RateLimit-Policy': {
    description:
      "The tenant's rate limit on this instance (IETF draft-ietf-httpapi-ratelimit-headers-11): `q` requests at " +
      'once (the bucket), refilled within `w` seconds. Sent on every answer after the key is verified, when a ' +
      'limit applies (none for an unlimited tenant).',
    schema: { type: 'string', example: '"tenant";q=100;w=2' },
  },
  RateLimit: {
    description:
      'What is left of the tenant\'s rate limit on this instance: `r` requests admitted now, `t` seconds until the ' +
      'bucket is full again. Sent with `RateLimit-Policy`.',
    schema: { type: 'string', example: '"tenant";r=57;t=1' },
  },
} satisfies Record<string, HeaderObject>;

export type ResponseHeaderName = keyof typeof RESPONSE_HEADERS;

export function headerRef(name: ResponseHeaderName): ReferenceObject {
  return { $ref: `#/components/headers/${name}` };
}
