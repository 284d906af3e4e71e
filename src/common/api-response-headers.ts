import type { HeaderObject, ReferenceObject } from '@nestjs/swagger';

/** Response headers of the API, declared once under `components.headers` and referenced by name. */
export const RESPONSE_HEADERS = {
  'X-Request-Id': {
    description:
      'The id of this request, in the log lines it caused: the `X-Request-Id` the client sent when it is 1–128 ' +
      'characters of `A-Z a-z 0-9 . _ : -`, else one made by the server (a UUID). Also in every error body as `requestId`.',
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
