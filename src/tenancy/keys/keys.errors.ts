import { ConflictError, NotFoundError } from '../../common/domain-errors';

export class ApiKeyNotFoundError extends NotFoundError {
  constructor() {
    super('API key not found');
  }
}
export class ApiKeyNameTakenError extends ConflictError {
  constructor(name: string) {
    super(`A live API key named "${name}" already exists`);
  }
}
export class ApiKeyRevokedError extends ConflictError {
  constructor() {
    super('API key is revoked or rotated out');
  }
}
