import { UnavailableError } from '../common/domain-errors';

/** How long a client should wait before retrying after the database failed it (`Retry-After`). */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** The tenant's schema is behind the migration this code needs (a deploy is migrating it). */
export class SchemaBehindError extends UnavailableError {
  override readonly retryAfterSeconds = 1;
  constructor() {
    super('This tenant is being upgraded; retry shortly');
  }
}

/** The database does not answer (stopped, unreachable, out of connections, statement timeout). */
export class DatabaseUnavailableError extends UnavailableError {
  override readonly retryAfterSeconds = DATABASE_RETRY_AFTER_SECONDS;
  constructor() {
    super('Database unavailable');
  }
}
