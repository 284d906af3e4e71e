import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { EnvironmentVariables } from '../config/environment-variables';
import { TooManyAttemptsError } from '../tenancy/auth/auth.errors';
import { AuthThrottle, retryAfter } from '../tenancy/auth/auth-throttle';

export const ADMIN_KEY_HEADER = 'x-admin-key';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * `X-Admin-Key` for `/tenants…`. With ADMIN_API_KEY unset the admin API does not exist (404). Wrong keys are
 * counted per client in the shared throttle; a client over the limit is refused even the right key, so the
 * answer never confirms a guess (operator routes are not a hot path: one indexed read per request).
 */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(
    config: EnvironmentVariables,
    private readonly throttle: AuthThrottle,
  ) {
    this.expected = config.ADMIN_API_KEY ? digest(config.ADMIN_API_KEY) : undefined;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.expected) throw new NotFoundException('Not Found');
    const request = context.switchToHttp().getRequest<Request>();
    const subject = `admin:${request.ip ?? request.socket.remoteAddress ?? 'unknown'}`;
    const wait = retryAfter(await this.throttle.over([subject]), [subject]);
    if (wait > 0) throw new TooManyAttemptsError(wait);
    const presented = request.headers[ADMIN_KEY_HEADER];
    if (typeof presented !== 'string' || !timingSafeEqual(digest(presented), this.expected)) {
      await this.throttle.recordFailure([subject]);
      throw new UnauthorizedException('Invalid admin key');
    }
    return true;
  }
}
