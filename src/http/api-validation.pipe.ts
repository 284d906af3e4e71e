import { ArgumentMetadata, BadRequestException, UnsupportedMediaTypeException, ValidationPipe, type ValidationPipeOptions } from '@nestjs/common';
import { requestStorage } from '../common/request-context';
import { cacheValidationMetadata } from './validation-metadata-cache';
import { QuickDtoCheck } from './quick-dto-check';
import { liftUnknownNestedFields, wordNestedErrors } from './nested-validation-errors';
import { withoutConsequentialErrors } from '../common/consequential-errors';
import { withRequiredFieldsNamed } from '../common/required-field-errors';

/** The options of the app's global pipe (app.setup.ts): unknown fields refused, DTO instances built, no echo of values. */
export const API_VALIDATION_OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  validationError: { target: false, value: false },
};

// A media type as RFC 9110 spells one (echoed in the refusal; anything else is not).
const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]{1,64}\/[a-z0-9!#$&^_.+-]{1,64}$/;

// class-transformer never copies these keys into the objects it builds, so the whitelist cannot see them.
const SKIPPED_KEYS = ['__proto__', 'constructor'];

/**
 * The global ValidationPipe, keeping data keys named `constructor` or `prototype` in free-form JSON (metadata,
 * payload, result, log data) where Nest's pipe deletes them. The JSON body guard refuses what could pollute a
 * prototype; what remains is data. class-transformer reads `value.constructor` to pick a class and would throw on
 * a data key of that name, so such keys are set aside while it runs and put back before validation (which thus
 * measures and checks the value as sent; `IsJsonObject` hands the field over untouched). A `__proto__` or
 * `constructor` key where a DTO's fields are (the body, a query, a nested DTO) is an unknown field: a 400.
 * Queries and bodies (batches too) that every rule of their DTO accepts skip all of it (`QuickDtoCheck`).
 */
export class ApiValidationPipe extends ValidationPipe {
  private setAside: Array<[Record<string, unknown>, unknown]> = [];
  private readonly quick: QuickDtoCheck | null;

  constructor(options?: ValidationPipeOptions) {
    super(options);
    cacheValidationMetadata();
    const supported = this.isTransformEnabled && !this.expectedType && QuickDtoCheck.supports(this.validatorOptions as Record<string, unknown>, this.transformOptions);
    this.quick = supported ? new QuickDtoCheck() : null;
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') refuseUnreadBody();
    const quick = this.quickCheck(value, metadata);
    if (quick) return quick;
    let result: unknown;
    try {
      result = await super.transform(value, metadata);
    } finally {
      this.putBack();
    }
    const skipped = skippedKey(value, result, '');
    if (skipped) throw new BadRequestException([`${skipped} should not exist`]);
    return result;
  }

  /** A body or query a quick check accepted: the instance the decorators would build, or null. */
  protected quickCheck(value: unknown, metadata: ArgumentMetadata): object | null {
    if (metadata.type !== 'body' && metadata.type !== 'query') return null;
    return this.quick?.check(metadata.metatype, value) ?? null;
  }

  /** Runs just before class-transformer, in the same synchronous stretch as `validate` below. */
  protected override stripProtoKeys(value: unknown): void {
    const stack = [value];
    while (stack.length) {
      const node = stack.pop();
      if (node === null || typeof node !== 'object') continue;
      if (Array.isArray(node)) {
        stack.push(...node);
        continue;
      }
      const object = node as Record<string, unknown>;
      if (Object.hasOwn(object, 'constructor')) {
        const kept = object.constructor;
        this.setAside.push([object, kept]);
        stack.push(kept);
        Reflect.deleteProperty(object, 'constructor');
      }
      for (const key of Object.keys(object)) stack.push(object[key]);
    }
  }

  protected override async validate(...args: Parameters<ValidationPipe['validate']>): Promise<Awaited<ReturnType<ValidationPipe['validate']>>> {
    this.putBack();
    const errors = withRequiredFieldsNamed(await super.validate(...args), args[0]);
    return liftUnknownNestedFields(wordNestedErrors(withoutConsequentialErrors(errors)));
  }

  private putBack(): void {
    for (const [object, kept] of this.setAside.splice(0).reverse()) {
      Object.defineProperty(object, 'constructor', { value: kept, writable: true, enumerable: true, configurable: true });
    }
  }
}

/**
 * A route that takes a JSON body, sent one of another media type (`text/plain`, a form, none named): the JSON
 * parser left it unread, and validating nothing would only list the fields as missing.
 */
function refuseUnreadBody(): void {
  const type = requestStorage.getStore()?.unreadBodyType;
  if (type === null || type === undefined) return;
  const sent = type.split(';')[0].trim().toLowerCase();
  const named = MEDIA_TYPE.test(sent) ? sent : sent ? 'that Content-Type' : 'a body without a Content-Type';
  throw new UnsupportedMediaTypeException(`Request body must be application/json, not ${named}`);
}

/** Walks the input beside the DTO instances built from it (free-form JSON stays a plain object, so it is not entered). */
function skippedKey(plain: unknown, built: unknown, path: string): string | null {
  if (Array.isArray(plain) && Array.isArray(built)) {
    for (let i = 0; i < plain.length && i < built.length; i++) {
      const found = skippedKey(plain[i], built[i], `${path}${i}.`);
      if (found) return found;
    }
    return null;
  }
  if (!isDtoInstance(built) || plain === null || typeof plain !== 'object') return null;
  for (const key of SKIPPED_KEYS) if (Object.hasOwn(plain, key)) return `property ${path}${key}`;
  for (const [key, child] of Object.entries(built)) {
    const found = skippedKey((plain as Record<string, unknown>)[key], child, `${path}${key}.`);
    if (found) return found;
  }
  return null;
}

function isDtoInstance(value: unknown): value is object {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype !== Object.prototype && prototype !== null && !(value instanceof Date);
}
