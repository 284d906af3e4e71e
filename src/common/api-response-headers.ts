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
} satisfies Record<string, HeaderObject>;

export type ResponseHeaderName = keyof typeof RESPONSE_HEADERS;

export function headerRef(name: ResponseHeaderName): ReferenceObject {
  return { $ref: `#/components/headers/${name}` };
}
