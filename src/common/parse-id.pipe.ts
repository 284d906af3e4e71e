import { ArgumentMetadata, BadRequestException, ParseUUIDPipe } from '@nestjs/common';

/** Path ids are server-made UUIDs; anything else is a 400 naming the parameter. Handed over in lowercase, as stored. */
export function parseId(name = 'id'): ParseUUIDPipe {
  return new LowercaseUuidPipe({ exceptionFactory: () => new BadRequestException(`${name} must be a UUID`) });
}

class LowercaseUuidPipe extends ParseUUIDPipe {
  override async transform(value: string, metadata: ArgumentMetadata): Promise<string> {
    return String(await super.transform(value, metadata)).toLowerCase();
  }
}
