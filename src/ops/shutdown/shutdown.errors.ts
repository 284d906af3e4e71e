import { UnavailableError } from '../../common/domain-errors';

/** A request that arrived while the process drains: another instance should take it. */
export class ShuttingDownError extends UnavailableError {
  override readonly retryAfterSeconds = 5;
  constructor() {
    super('The server is shutting down');
  }
}
