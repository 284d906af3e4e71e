import type { ValidationError } from 'class-validator';
import { withoutConsequentialErrors } from './consequential-errors';

const error = (property: string, constraints?: Record<string, string>, children: ValidationError[] = []): ValidationError =>
  ({ property, constraints, children }) as ValidationError;

describe('withoutConsequentialErrors', () => {
  it('keeps only the type rule of a value of the wrong type', () => {
    const errors = [
      error('limit', { isInt: 'limit must be an integer number', min: 'limit must not be less than 1', max: 'limit must not be greater than 100' }),
      error('name', { isString: 'name must be a string', isLength: 'l', matches: 'name must not contain NUL characters', hasNoLoneSurrogate: 's' }),
      error('jobs', { isArray: 'jobs must be an array', arrayMinSize: 'min', arrayMaxSize: 'max' }, [error('targetId', { isUuid: 'u' })]),
    ];
    expect(withoutConsequentialErrors(errors)).toEqual([
      error('limit', { isInt: 'limit must be an integer number' }),
      error('name', { isString: 'name must be a string' }),
      error('jobs', { isArray: 'jobs must be an array' }, []),
    ]);
  });

  it('keeps a range when the type is right, nested errors, and every rule of `each` lists', () => {
    const errors = [
      error('limit', { min: 'limit must not be less than 1' }),
      error('progress', undefined, [error('percent', { isInt: 'p', max: 'm' })]),
      error('types', { isString: 'each value in types must be a string', isLength: 'each value in types must be longer…' }),
    ];
    expect(withoutConsequentialErrors(structuredClone(errors))).toEqual([
      errors[0],
      error('progress', undefined, [error('percent', { isInt: 'p' })]),
      errors[2],
    ]);
  });
});
