import { applyDecorators, BadRequestException, type CanActivate, type ExecutionContext, Injectable, UseGuards } from '@nestjs/common';

/**
 * A route that takes no body (cancel, retry, close, restore, regenerate, a delete) refuses JSON fields sent to it,
 * each an unknown field as the ValidationPipe words one (`property force should not exist`), instead of ignoring
 * them while the client believes they were taken. An empty object, or no body, is fine. As a route's own guard it
 * runs after the controller's (the key or admin key): a request without a valid key still gets its 401 first.
 */
@Injectable()
export class NoBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const body: unknown = context.switchToHttp().getRequest<{ body?: unknown }>().body;
    if (body !== null && typeof body === 'object') {
      const fields = Object.keys(body);
      if (fields.length) throw new BadRequestException(fields.map((field) => `property ${field} should not exist`));
    }
    return true;
  }
}

/** Marks a POST, PUT, PATCH or DELETE handler that takes no body (src/common/no-body.decorator.spec.ts checks each has it). */
export function NoBody(): MethodDecorator {
  return applyDecorators(UseGuards(NoBodyGuard));
}
