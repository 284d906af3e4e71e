import type { ValidationError } from 'class-validator';

const REQUIRED_RULE = 'isRequired';

/**
 * A required field left out is told so, `slug is required` (`jobs.3.type is required` in a list), where
 * class-validator lists what the absent value fails, `slug must be a string`, as if one of the wrong type had been
 * sent. A field is absent when its value is `undefined` (JSON cannot send one); `null` is a value, and is told its
 * type, as it is where the field is optional. `validated` is the object the errors are about (a DTO instance);
 * each nested error is matched with the value it is about, at any depth.
 */
export function withRequiredFieldsNamed(errors: ValidationError[], validated: unknown): ValidationError[] {
  if (validated === null || typeof validated !== 'object') return errors;
  for (const error of errors) {
    // An unknown value (no property) or an unknown field (present by definition) is not about an absent one.
    if (typeof error.property !== 'string' || error.constraints?.whitelistValidation !== undefined) continue;
    const value = (validated as Record<string, unknown>)[error.property];
    if (value === undefined && error.constraints) {
      error.constraints = { [REQUIRED_RULE]: `${error.property} is required` };
      error.children = [];
    } else if (error.children?.length) withRequiredFieldsNamed(error.children, value);
  }
  return errors;
}
