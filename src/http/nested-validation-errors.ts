import { ValidationError } from 'class-validator';

const NESTED = 'nestedValidation';
const IS_OBJECT = 'isObject';
const OBJECT_ITEMS = 'isObjectItems';
const INDEX = /^\d+$/;
const UNKNOWN_FIELD = 'whitelistValidation';

/**
 * class-validator's refusal of a nested DTO that is not an object reads "each value in nested property jobs must
 * be either object or array", on the item but without its index, so that the flattened message is
 * `jobs.each value …`; and it enters an array where an object is expected as if its items were the DTO's.
 * Every nested property also carries `IsObject` or `IsObjectItems`, which word it properly (`progress must be
 * an object`, `jobs.3 must be an object`): where one of them refuses a value, what class-validator found inside
 * it is dropped; a nested refusal beside another rule of the property is dropped too, and reworded
 * `<property> must be an object` anywhere else, so that nothing refused is ever let through.
 */
export function wordNestedErrors(errors: ValidationError[], itemsRefused = false): ValidationError[] {
  const kept: ValidationError[] = [];
  for (const error of errors) {
    // An item that IsObjectItems of the array refuses (and names) already.
    if (itemsRefused && INDEX.test(error.property) && isNonObjectItem(error)) continue;
    const constraints = error.constraints;
    if (constraints && constraints[NESTED] !== undefined) {
      if (Object.keys(constraints).length > 1) delete constraints[NESTED];
      else constraints[NESTED] = `${error.property} must be an object`;
    }
    if (constraints?.[IS_OBJECT] !== undefined) error.children = [];
    if (error.children?.length) error.children = wordNestedErrors(error.children, constraints?.[OBJECT_ITEMS] !== undefined);
    if (error.constraints || error.children?.length) kept.push(error);
  }
  return kept;
}

/** What class-validator reports for an item that is not an object: a nested refusal, or the item's own items. */
function isNonObjectItem(error: ValidationError): boolean {
  return error.constraints?.[NESTED] !== undefined || (error.children ?? []).some((child) => INDEX.test(child.property));
}

/**
 * class-validator words an unknown field `property runAt should not exist`, and Nest puts a nested one's path
 * before the message: `job.property runAt should not exist`. A nested unknown field is lifted beside its
 * top-level field instead, worded `property job.runAt should not exist`, as a top-level one is.
 */
export function liftUnknownNestedFields(errors: ValidationError[]): ValidationError[] {
  const kept: ValidationError[] = [];
  for (const error of errors) {
    const lifted: ValidationError[] = [];
    error.children = unknownFieldsLifted(error.children ?? [], error.property, lifted);
    if (error.constraints || error.children.length) kept.push(error);
    kept.push(...lifted);
  }
  return kept;
}

function unknownFieldsLifted(children: ValidationError[], path: string, lifted: ValidationError[]): ValidationError[] {
  const kept: ValidationError[] = [];
  for (const child of children) {
    const childPath = `${path}.${child.property}`;
    if (child.constraints?.[UNKNOWN_FIELD] !== undefined) {
      lifted.push(Object.assign(new ValidationError(), { property: childPath, constraints: { [UNKNOWN_FIELD]: `property ${childPath} should not exist` }, children: [] }));
      delete child.constraints[UNKNOWN_FIELD];
      if (Object.keys(child.constraints).length === 0) child.constraints = undefined;
    }
    child.children = unknownFieldsLifted(child.children ?? [], childPath, lifted);
    if (child.constraints || child.children.length) kept.push(child);
  }
  return kept;
}
