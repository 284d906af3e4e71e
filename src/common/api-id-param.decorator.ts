import { ApiParam } from '@nestjs/swagger';

/** A path parameter holding a server-made UUID (anything else is a `400` naming the parameter). */
export function ApiIdParam(description: string, name = 'id'): MethodDecorator & ClassDecorator {
  return ApiParam({ name, format: 'uuid', description });
}
