// What an auth use case can refuse, independent of HTTP; the routes map these to problem+json
// (entry-points/errors.ts).

export type AuthErrorKind =
  /** Too many attempts from this client or for this account: retry after `retryAfterSeconds`. */
  | 'rate_limited'
  /** The email or password is wrong; the next try is slowed down by `retryAfterSeconds`. */
  | 'bad_credentials'
  /** The token or account presented is not (or no longer) valid. */
  | 'unauthenticated'
  | 'validation'
  | 'conflict'
  /** A staff id already holds a review role: maker and checker must be two people. */
  | 'separation'
  | 'not_found'
  /** The change would leave the bank without an active admin. */
  | 'last_admin'
  /** The caller's role does not allow it (any more). */
  | 'forbidden'
  /** A store or the password-hash pool cannot take the request now: retry after `retryAfterSeconds`. */
  | 'unavailable';

export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(
    readonly kind: AuthErrorKind,
    message: string,
    readonly details: { field?: string; retryAfterSeconds?: number } = {},
  ) {
    super(message);
  }
}

export const rateLimited = (retryAfterSeconds: number, message: string): AuthError =>
  new AuthError('rate_limited', message, { retryAfterSeconds });
export const badCredentials = (retryAfterSeconds: number): AuthError =>
  new AuthError('bad_credentials', 'the email or password is wrong', { retryAfterSeconds });
export const unauthenticated = (message: string): AuthError => new AuthError('unauthenticated', message);
export const validationFailed = (field: string, message: string): AuthError => new AuthError('validation', message, { field });
export const conflict = (message: string, field: string): AuthError => new AuthError('conflict', message, { field });
export const notFound = (message: string, field: string): AuthError => new AuthError('not_found', message, { field });
export const lastAdmin = (): AuthError =>
  new AuthError('last_admin', 'this is the last active admin account: make another account an admin first', { field: 'id' });
export const forbidden = (message: string): AuthError => new AuthError('forbidden', message);
export const unavailable = (retryAfterSeconds: number, message: string): AuthError =>
  new AuthError('unavailable', message, { retryAfterSeconds });

export function separationConflict(staffId: string): AuthError {
  return new AuthError(
    'separation',
    `staff id ${staffId.slice(0, 64)} already has an active maker or checker account: maker-checker review needs two different people, so one person cannot hold both roles`,
    { field: 'staffId' },
  );
}
