import { BadRequestException, createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { textProblem } from '../common/validation';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENCY_KEY_MAX = 200;

/** The optional `Idempotency-Key` header: absent, or 1–200 characters of storable text (an empty header is a 400, not "absent"). */
export function idempotencyKeyOf(request: Request): string | undefined {
  const value = request.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length < 1 || value.length > IDEMPOTENCY_KEY_MAX) {
    throw new BadRequestException(`${IDEMPOTENCY_KEY_HEADER} must be 1-${IDEMPOTENCY_KEY_MAX} characters`);
  }
  const problem = textProblem(value);
  if (problem) throw new BadRequestException(`${IDEMPOTENCY_KEY_HEADER} ${problem}`);
  return value;
}

export const IdempotencyKey = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  idempotencyKeyOf(context.switchToHttp().getRequest<Request>()),
);
