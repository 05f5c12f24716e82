// Auth's domain refusals → problem+json; anything else continues to the shared error handler.
import type { ErrorRequestHandler } from 'express';
import {
  ProblemError,
  conflict,
  forbidden,
  serviceUnavailable,
  tooManyRequests,
  unauthorized,
  validationProblem,
} from '../../shared/index.js';
import { AuthError } from '../domain/errors.js';

export function toProblem(error: AuthError): ProblemError {
  const { field, retryAfterSeconds = 1 } = error.details;
  switch (error.kind) {
    case 'rate_limited':
      return tooManyRequests(retryAfterSeconds, error.message);
    case 'bad_credentials':
      // No WWW-Authenticate: this is a failed sign-in, not a missing token.
      return new ProblemError(401, error.message, { headers: { 'Retry-After': String(retryAfterSeconds) } });
    case 'unauthenticated':
      return unauthorized(error.message);
    case 'validation':
      return validationProblem(field ?? 'body', error.message);
    case 'conflict':
      return conflict(error.message, field);
    case 'separation':
      return new ProblemError(409, error.message, { field: field ?? 'staffId', title: 'Maker-checker separation' });
    case 'last_admin':
      return new ProblemError(409, error.message, { field: field ?? 'id', title: 'Last admin' });
    case 'forbidden':
      return forbidden(error.message);
    case 'not_found':
      return new ProblemError(404, error.message, field !== undefined ? { field } : {});
    case 'unavailable':
      return serviceUnavailable(retryAfterSeconds, error.message);
  }
}

export const authErrors: ErrorRequestHandler = (error: unknown, _req, _res, next) => {
  next(error instanceof AuthError ? toProblem(error) : error);
};
