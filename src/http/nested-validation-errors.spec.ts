import type { ValidationError } from 'class-validator';
import { wordNestedErrors } from './nested-validation-errors';

const NESTED = (property: string) => `each value in nested property ${property} must be either object or array`;
const error = (property: string, constraints?: Record<string, string>, children: ValidationError[] = []): ValidationError =>
  ({ property, constraints, children }) as ValidationError;

describe('wordNestedErrors', () => {
  it('drops the nested refusal of items that IsObjectItems names, and what class-validator found inside them', () => {
    const errors = [
      error('jobs', { isObjectItems: '$property.1, $property.2 must be objects' }, [
        error('1', { nestedValidation: NESTED('jobs') }),
        error('2', undefined, [error('0', { nestedValidation: NESTED('jobs') })]),
        error('3', undefined, [error('type', { isString: 'type must be a string' })]),
      ]),
    ];
    expect(wordNestedErrors(errors)).toEqual([
      error('jobs', { isObjectItems: '$property.1, $property.2 must be objects' }, [
        error('3', undefined, [error('type', { isString: 'type must be a string' })]),
      ]),
    ]);
  });

  it('drops a nested refusal beside another rule of the property, and what was found inside a non-object', () => {
    const errors = [error('progress', { isObject: 'progress must be an object', nestedValidation: 'x' }, [error('0', undefined, [error('percent', { isInt: 'p' })])])];
    expect(wordNestedErrors(errors)).toEqual([error('progress', { isObject: 'progress must be an object' }, [])]);
  });

  it('rewords a nested refusal that stands alone instead of dropping it (the value stays refused)', () => {
    expect(wordNestedErrors([error('job', { nestedValidation: 'nested property job must be either object or array' })])).toEqual([
      error('job', { nestedValidation: 'job must be an object' }),
    ]);
    expect(wordNestedErrors([error('jobs', undefined, [error('1', { nestedValidation: NESTED('jobs') })])])).toEqual([
      error('jobs', undefined, [error('1', { nestedValidation: '1 must be an object' })]),
    ]);
  });

  it('keeps every other error as it is', () => {
    const errors = [error('name', { isString: 'name must be a string' }), error('entries', undefined, [error('0', undefined, [error('level', { isIn: 'l' })])])];
    expect(wordNestedErrors(structuredClone(errors))).toEqual(errors);
  });
});
