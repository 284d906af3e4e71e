import { ConflictError, InvalidInputError, UnprocessableError } from '../../common/domain-errors';

/** The archive cannot be read: not gzip, truncated, not our format, or malformed framing (400). */
export class ArchiveCorruptError extends InvalidInputError {
  constructor(reason: string) {
    super(`Archive is corrupt: ${reason}`);
  }
}

/** The archive reads, but cannot be taken as it is: wrong checksum or count, newer than this code, rows refused (422). */
export class ArchiveRejectedError extends UnprocessableError {
  constructor(reason: string) {
    super(`Archive rejected: ${reason}`);
  }
}

export class TenantDeletedError extends ConflictError {
  constructor() {
    super('Tenant is deleted');
  }
}

export class TenantNotDeletedError extends ConflictError {
  constructor() {
    super('Tenant is not deleted');
  }
}
