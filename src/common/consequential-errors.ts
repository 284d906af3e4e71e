import type { ValidationError } from 'class-validator';

/**
 * Rules that say nothing once a value has the wrong type: a string has no range (`limit: "5"` was also "must not
 * be greater than 100" and "must not be less than 1", and `after=-1` "must not be greater than 2147483647"), a
 * non-array no size, a non-string no length or pattern. A constraint in a ValidationError is a rule the value
 * failed, so when the type rule is among them these are dropped and the type's message is what is said.
 */
const IMPLIED: Record<string, readonly string[]> = {
  isInt: ['min', 'max'],
  isArray: ['arrayMinSize', 'arrayMaxSize', 'arrayUnique'],
  isString: ['isLength', 'matches', 'hasNoLoneSurrogate'],
};

export function withoutConsequentialErrors(errors: ValidationError[]): ValidationError[] {
  for (const error of errors) {
    const constraints = error.constraints;
    if (constraints) {
      for (const [rule, implied] of Object.entries(IMPLIED)) {
        // Not for `each` rules: another item may have failed the others for a reason of its own.
        const message = constraints[rule];
        if (message !== undefined && !message.startsWith('each value in ')) for (const key of implied) delete constraints[key];
      }
    }
    // Nor does a non-array hold items: what nested validation found inside it is not about them.
    if (constraints?.isArray !== undefined) error.children = [];
    if (error.children?.length) withoutConsequentialErrors(error.children);
  }
  return errors;
}
