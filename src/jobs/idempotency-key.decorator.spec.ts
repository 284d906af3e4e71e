import { BadRequestException } from '@nestjs/common';
import type { Request } from 'express';
import { idempotencyKeyOf } from './idempotency-key.decorator';

const withHeader = (value: unknown) => ({ headers: value === undefined ? {} : { 'idempotency-key': value } }) as unknown as Request;

describe('idempotencyKeyOf', () => {
  it('reads an absent or a plain header', () => {
    expect(idempotencyKeyOf(withHeader(undefined))).toBeUndefined();
    expect(idempotencyKeyOf(withHeader('order-42'))).toBe('order-42');
  });

  it.each<[string, unknown, string]>([
    ['empty', '', 'Idempotency-Key must be 1-200 characters'],
    ['too long', 'k'.repeat(201), 'Idempotency-Key must be 1-200 characters'],
    ['a lone surrogate (an adapter that decodes headers as UTF-16)', 'k\ud800', 'Idempotency-Key must not contain unpaired surrogates'],
    ['a NUL character', 'k\u0000', 'Idempotency-Key must not contain NUL characters'],
  ])('refuses %s with a 400 naming the header', (_case, value, message) => {
    expect(() => idempotencyKeyOf(withHeader(value))).toThrow(new BadRequestException(message));
  });
});
