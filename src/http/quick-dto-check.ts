import { TransformationType, type ClassTransformOptions } from 'class-transformer';
import type { MetadataStorage as TransformMetadataStorage } from 'class-transformer/types/MetadataStorage';
import type { TransformMetadata } from 'class-transformer/types/interfaces';
import { getMetadataStorage, ValidationTypes, type ValidationArguments, type ValidatorConstraintInterface } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { fieldAsSent } from '../common/validation';

// class-transformer keeps its decorators' metadata here; it exports neither the storage nor its defaults from its index.
/* eslint-disable @typescript-eslint/no-require-imports */
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as { defaultMetadataStorage: TransformMetadataStorage };
const { defaultOptions } = require('class-transformer/cjs/constants/default-options.constant') as { defaultOptions: ClassTransformOptions };
/* eslint-enable @typescript-eslint/no-require-imports */

type DtoClass = new () => object;

interface Rule {
  metadata: ValidationMetadata;
  validators: ValidatorConstraintInterface[];
}

interface PropertyPlan {
  /** `ValidateIf` / `IsOptional`: the property is validated only when all of them say so. */
  conditions: ValidationMetadata[];
  rules: Rule[];
  /** `@Transform` functions, applied in order as class-transformer applies them. */
  transforms: TransformMetadata[];
  /** `@Type(() => String)`: class-transformer would turn a number or boolean into a string. */
  stringTyped: boolean;
  /** The one transform is `fieldAsSent`: whatever was sent is what the property gets. */
  asSent: boolean;
  /** `@ValidateNested()` with `@Type(() => Item)`: an array of `Item`s, each built and checked by its own plan. */
  nested: DtoClass | null;
}

interface Plan {
  dto: DtoClass;
  properties: Map<string, PropertyPlan>;
}

// What plainToInstance passes to a `@Transform` function as `options` when the pipe has no transformOptions.
const TRANSFORM_OPTIONS: ClassTransformOptions = Object.freeze({ ...defaultOptions });
const NOT_QUICK = Symbol('not quick');

/**
 * A quick path for DTOs (a query object, a create or update body, a batch of up to 1,000 items), derived from the
 * class's own decorators: the instance class-transformer would build is built directly (`new Dto()`, each field
 * through the property's `@Transform` functions, an array of nested DTOs item by item through the item class's
 * plan), then checked with the decorators' own validator functions, synchronously. Only when every rule passes is
 * that instance the answer. On any failure, or anything the plan does not reproduce exactly — an unknown field,
 * an object or nested array where class-transformer would copy it, a nested DTO that is not in an array, an async
 * rule, `@Type` other than String or a DTO class, `@Expose`/`@Exclude` — it answers null and the ValidationPipe
 * runs as usual, so every refusal and its message stay those of class-validator. For the pipe's options of this
 * app (whitelist, forbidNonWhitelisted, no groups, no transformOptions), which `supports` checks. Plans are
 * derived once per class, from metadata that does not change after the decorators ran.
 */
export class QuickDtoCheck {

  /** Whether the quick path gives what a ValidationPipe with these options gives. */
  static supports(validatorOptions: Record<string, unknown>, transformOptions: unknown): boolean {
    const understood = new Set(['whitelist', 'forbidNonWhitelisted', 'forbidUnknownValues', 'validationError']);
    return (
      transformOptions === undefined &&
      validatorOptions.whitelist === true &&
      validatorOptions.forbidNonWhitelisted === true &&
      Object.keys(validatorOptions).every((key) => understood.has(key))
    );
  }

  /** The DTO instance the pipe would return for `value`, or null (then validate as usual). */
  check(metatype: Function | undefined, value: unknown): object | null {
    if (!metatype || typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const plan = planFor(metatype);
    return plan && run(plan, value as Record<string, unknown>);
  }
}

const plans = new Map<Function, Plan | null>();

function planFor(metatype: Function): Plan | null {
  let plan = plans.get(metatype);
  if (plan === undefined) plans.set(metatype, (plan = planOf(metatype)));
  return plan;
}

function run(plan: Plan, plain: Record<string, unknown>): object | null {
  const prototype = Object.getPrototypeOf(plain);
  if (prototype !== null && prototype !== Object.prototype) return null;
  const instance = new plan.dto() as Record<string, unknown>;
  for (const key of Object.keys(plain)) {
    const property = plan.properties.get(key);
    if (!property) return null;
    const value = built(property, key, plain);
    if (value === NOT_QUICK) return null;
    instance[key] = value;
  }
  for (const [name, property] of plan.properties) {
    const value = instance[name];
    if (!property.conditions.every((condition) => (condition.constraints[0] as Condition)(instance, value))) continue;
    if (property.nested && !Array.isArray(value)) return null; // validated but absent: nested validation refuses it
    for (const { metadata, validators } of property.rules) {
      if (metadata.validateIf && !metadata.validateIf(instance, value)) continue;
      for (const validator of validators) {
        const args: ValidationArguments = { targetName: plan.dto.name, property: metadata.propertyName, object: instance, value, constraints: metadata.constraints };
        if (metadata.each && Array.isArray(value)) {
          for (const item of value) if (!passes(validator.validate(item, args))) return null;
        } else if (!passes(validator.validate(value, args))) return null;
      }
    }
  }
  return instance;
}

/** What class-transformer makes of `plain[key]` for this property, or NOT_QUICK where it would build something. */
function built(property: PropertyPlan, key: string, plain: Record<string, unknown>): unknown {
  if (property.asSent) return plain[key];
  let value = plain[key];
  if (property.nested) return builtItems(property.nested, value);
  if (Array.isArray(value)) {
    // Copied item by item into a new array; primitives stay as they are.
    if (property.stringTyped || !value.every(isJsonPrimitive)) return NOT_QUICK;
    value = value.slice();
  } else if (typeof value === 'string' || value === null) {
    // unchanged, with or without @Type(() => String)
  } else if (typeof value !== 'number' && typeof value !== 'boolean') return NOT_QUICK;
  else if (property.stringTyped) return NOT_QUICK;
  for (const transform of property.transforms) {
    value = transform.transformFn({ value, key, obj: plain, type: TransformationType.PLAIN_TO_CLASS, options: TRANSFORM_OPTIONS });
  }
  return value;
}

/** The item instances class-transformer builds for an array of nested DTOs, each checked by its plan; else NOT_QUICK. */
function builtItems(item: DtoClass, value: unknown): unknown {
  // Anything but an array (null included: nested validation words its own refusal) is left to the decorators.
  const plan = Array.isArray(value) ? planFor(item) : null;
  if (!plan) return NOT_QUICK;
  const items: object[] = [];
  for (const element of value as unknown[]) {
    if (typeof element !== 'object' || element === null || Array.isArray(element)) return NOT_QUICK;
    const instance = run(plan, element as Record<string, unknown>);
    if (!instance) return NOT_QUICK;
    items.push(instance);
  }
  return items;
}

function isJsonPrimitive(value: unknown): boolean {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** class-validator counts a truthy answer as a pass; a promise (an async rule) is left to it. */
function passes(valid: unknown): boolean {
  return !!valid && !(valid instanceof Promise);
}

type Condition = (object: object, value: unknown) => boolean;

/** The class's plan, or null when its decorators use anything the quick path does not reproduce exactly. */
function planOf(metatype: Function): Plan | null {
  if (typeof metatype !== 'function' || !metatype.prototype || metatype.length > 0) return null;
  const storage = getMetadataStorage();
  // As class-validator looks them up for `validate(object, options)` without groups.
  const grouped = storage.groupByPropertyName(storage.getTargetValidationMetadatas(metatype, undefined as never, false, false, undefined));
  const names = Object.keys(grouped);
  if (names.length === 0) return null;
  if (defaultMetadataStorage.getStrategy(metatype) !== 'none') return null;
  if (defaultMetadataStorage.getExposedMetadatas(metatype).length || defaultMetadataStorage.getExcludedMetadatas(metatype).length) return null;
  const dto = metatype as DtoClass;
  const probe = new dto() as Record<string, unknown>;
  // Fields of a fresh instance are validated and whitelisted too: each must be a plain, decorated property.
  for (const key of Object.keys(probe)) if (!grouped[key]?.length) return null;
  const properties = new Map<string, PropertyPlan>();
  for (const name of names) {
    const property = propertyPlan(metatype, name, grouped[name]);
    if (!property || typeof probe[name] === 'function' || Object.getOwnPropertyDescriptor(metatype.prototype, name)) return null;
    properties.set(name, property);
  }
  return { dto, properties };
}

function propertyPlan(metatype: Function, name: string, metadatas: ValidationMetadata[]): PropertyPlan | null {
  const conditions: ValidationMetadata[] = [];
  const rules: Rule[] = [];
  let validatesNested = false;
  for (const metadata of metadatas) {
    if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) conditions.push(metadata);
    else if (metadata.type === ValidationTypes.NESTED_VALIDATION) validatesNested = true; // each item, by its plan
    else if (metadata.type === ValidationTypes.CUSTOM_VALIDATION || metadata.type === ValidationTypes.IS_DEFINED) {
      const constraints = getMetadataStorage().getTargetValidatorConstraints(metadata.constraintCls);
      if (constraints.length === 0 || constraints.some((constraint) => constraint.async)) return null;
      rules.push({ metadata, validators: constraints.map((constraint) => constraint.instance) });
    } else if (metadata.type !== ValidationTypes.WHITELIST) return null; // promise validation
  }
  const type = defaultMetadataStorage.findTypeMetadata(metatype, name);
  if (type?.options?.discriminator) return null;
  const typed = type?.typeFunction?.({ newObject: undefined, object: {}, property: name });
  const transforms = defaultMetadataStorage
    .findTransformMetadatas(metatype, name, TransformationType.PLAIN_TO_CLASS)
    .filter((transform) => !transform.options?.groups?.length);
  if (transforms.some((transform) => transform.options?.since !== undefined || transform.options?.until !== undefined)) return null;
  if (validatesNested) {
    // Only an array of one DTO class, with nothing else changing the value on the way.
    const nested = typeof typed === 'function' && typed !== String && typed.prototype ? (typed as DtoClass) : null;
    return nested && transforms.length === 0 ? { conditions, rules, transforms, stringTyped: false, asSent: false, nested } : null;
  }
  if (type && typed !== String) return null;
  const asSent = transforms.length === 1 && transforms[0].transformFn === fieldAsSent && !type;
  return { conditions, rules, transforms, stringTyped: !!type, asSent, nested: null };
}
