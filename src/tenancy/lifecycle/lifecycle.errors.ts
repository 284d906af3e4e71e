import { ConflictError, InvalidInputError, NotFoundError, TooLargeError, UnprocessableError } from '../../common/domain-errors';

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

/** The archive passes IMPORT_MAX_ARCHIVE_BYTES, as sent or once decompressed: the import stopped there (413). */
export class ArchiveTooLargeError extends TooLargeError {
  constructor(limit: number, where: 'as sent' | 'once decompressed') {
    super(`Archive is too large: it is over IMPORT_MAX_ARCHIVE_BYTES (${limit} bytes) ${where}; nothing was imported`);
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

export class SchemaNotFoundError extends NotFoundError {
  constructor(schema: string) {
    super(`Schema "${schema}" does not exist`);
  }
}

/** The tenant's schema holds no tenant tables (dropped, or purged while the export began): no archive to give (404). */
export class NothingToExportError extends NotFoundError {
  constructor(schema: string) {
    super(`Schema "${schema}" holds no tenant tables: there is nothing to export`);
  }
}

/** The schema cannot become a tenant: the registry's own, a system schema, or already a tenant's or a spare. */
export class SchemaNotAdoptableError extends ConflictError {}

/** The schema's tables are not what the tenant migrations build; nothing was changed. */
export class SchemaShapeMismatchError extends UnprocessableError {
  constructor(
    schema: string,
    readonly differences: string[],
  ) {
    super(
      `Schema "${schema}" does not match the tenant migrations (${differences.length} difference(s)); nothing was changed:\n` +
        differences.map((d) => `  - ${d}`).join('\n'),
    );
  }
}
