import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { EnvironmentVariables } from '../config/environment-variables';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** `X-Admin-Key` for `/tenants…`. With ADMIN_API_KEY unset the admin API does not exist (404). */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(config: EnvironmentVariables) {
    this.expected = config.ADMIN_API_KEY ? digest(config.ADMIN_API_KEY) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) throw new NotFoundException('Not Found');
    const presented = context.switchToHttp().getRequest<Request>().headers['x-admin-key'];
    if (typeof presented !== 'string' || !timingSafeEqual(digest(presented), this.expected)) {
      throw new UnauthorizedException('Invalid admin key');
    }
    return true;
  }
}
