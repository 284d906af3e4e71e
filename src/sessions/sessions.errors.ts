import { NotFoundError } from '../common/domain-errors';

export class SessionNotFoundError extends NotFoundError {
  constructor(message = 'Session not found') {
    super(message);
  }
}
