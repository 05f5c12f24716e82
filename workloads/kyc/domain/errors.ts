// What a use case can refuse, independent of HTTP; the routes map these to problem+json.
import type { FieldError } from './applicant.js';

export type KycErrorKind = 'not_found' | 'forbidden' | 'invalid_state' | 'validation' | 'limit_reached' | 'paused';

export class KycError extends Error {
  override readonly name = 'KycError';
  constructor(
    readonly kind: KycErrorKind,
    message: string,
    readonly fieldErrors: readonly FieldError[] = [],
  ) {
    super(message);
  }
}

export const notFound = (what = 'application'): KycError => new KycError('not_found', `${what} not found`);
export const forbidden = (message: string): KycError => new KycError('forbidden', message);
export const invalidState = (message: string): KycError => new KycError('invalid_state', message);
/** A per-customer limit (e.g. open drafts) is reached; the message says how to get below it. */
export const limitReached = (message: string): KycError => new KycError('limit_reached', message);
export const validationFailed = (errors: readonly FieldError[]): KycError =>
  new KycError('validation', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
/** An admin switched the feature off (docs/api.md, "Feature flags"); the request may succeed once it is back on. */
export const featurePaused = (message: string): KycError => new KycError('paused', message);
