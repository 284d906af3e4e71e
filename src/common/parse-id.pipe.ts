import { BadRequestException, ParseUUIDPipe } from '@nestjs/common';

/** Path ids are server-made UUIDs; anything else is a 400 naming the parameter. */
export function parseId(name = 'id'): ParseUUIDPipe {
  return new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException(`${name} must be a UUID`) });
}
