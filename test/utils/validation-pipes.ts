import { API_VALIDATION_OPTIONS, ApiValidationPipe } from '../../src/http/api-validation.pipe';

/** The app's global pipe, with its quick checks. */
export const appPipe = new ApiValidationPipe(API_VALIDATION_OPTIONS);

/** The same pipe without the quick checks: the decorators alone, which word every refusal. */
export const decoratorsOnlyPipe = new (class extends ApiValidationPipe {
  protected override quickCheck(): null {
    return null;
  }
})(API_VALIDATION_OPTIONS);
