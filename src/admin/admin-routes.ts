import { ApiErrorResponses } from '../common/api-error-responses.decorator';

export const DISABLED = 'The admin API is off (the server has no `ADMIN_API_KEY`)';
export const TENANT_NOT_FOUND = { status: 404, description: `No such tenant, or: ${DISABLED}`, message: 'Tenant not found' } as const;
export const BAD_ID = { status: 400, message: 'id must be a UUID' } as const;

/** The errors every operator route may answer. */
export function AdminErrorResponses(): ClassDecorator {
  return ApiErrorResponses(
    { status: 401, description: 'Missing or wrong admin key', message: 'Invalid admin key' },
    {
      status: 429,
      description: 'Too many wrong admin keys from this client (counted by every instance); retry after `Retry-After` seconds',
      message: 'Too many failed authentication attempts',
    },
    503,
  ) as ClassDecorator;
}
