import { describe, expect, it } from '@jest/globals';
import {
  AuthError,
  badCredentials,
  conflict,
  forbidden,
  lastAdmin,
  notFound,
  rateLimited,
  separationConflict,
  unauthenticated,
  unavailable,
  validationFailed,
} from '../domain/errors.js';
import { PasswordHasher } from '../domain/passwords.js';
import { toProblem } from './errors.js';

/** The answer the routes give for what a use case refused (the domain's errors know no HTTP). */
const asHttp = <T>(work: Promise<T>): Promise<T> =>
  work.catch((error: unknown) => {
    throw error instanceof AuthError ? toProblem(error) : error;
  });

describe('auth errors as problem+json', () => {
  it('when a use case refuses, then the answer is the status, field and headers the API always gave', () => {
    expect(toProblem(rateLimited(0.2, 'slow down'))).toMatchObject({ status: 429, message: 'slow down', headers: { 'Retry-After': '1' } });
    expect(toProblem(badCredentials(0))).toMatchObject({
      status: 401,
      message: 'the email or password is wrong',
      headers: { 'Retry-After': '0' },
    });
    expect(toProblem(badCredentials(0)).headers['WWW-Authenticate']).toBeUndefined();
    expect(toProblem(unauthenticated('gone'))).toMatchObject({ status: 401, headers: { 'WWW-Authenticate': 'Bearer' } });
    expect(toProblem(validationFailed('staffId', 'needed'))).toMatchObject({
      status: 422,
      field: 'staffId',
      errors: [{ field: 'staffId', detail: 'needed' }],
    });
    expect(toProblem(conflict('taken', 'email'))).toMatchObject({ status: 409, field: 'email', title: 'Conflict' });
    expect(toProblem(separationConflict('S1'))).toMatchObject({
      status: 409,
      field: 'staffId',
      title: 'Maker-checker separation',
      type: 'https://kyc.dev/problems/maker-checker-separation',
    });
    expect(toProblem(notFound('no user with this id', 'id'))).toMatchObject({ status: 404, field: 'id' });
    expect(toProblem(lastAdmin())).toMatchObject({
      status: 409,
      field: 'id',
      title: 'Last admin',
      type: 'https://kyc.dev/problems/last-admin',
    });
    expect(toProblem(forbidden('no longer an admin'))).toMatchObject({ status: 403, message: 'no longer an admin' });
    expect(toProblem(unavailable(5, 'later'))).toMatchObject({ status: 503, headers: { 'Retry-After': '5' } });
  });

  // The password-hash pool's refusal (moved here from domain/passwords.test.ts: the 503 is HTTP's).
  it('runs at most `concurrency` derivations and refuses beyond the queue with a 503', async () => {
    const hasher = new PasswordHasher(1024, 1, 1);
    const first = hasher.hash('a');
    const second = hasher.hash('b');
    await expect(asHttp(hasher.hash('c'))).rejects.toMatchObject({ status: 503 });
    expect((await Promise.all([first, second])).length).toBe(2);
    expect(await hasher.hash('d')).toMatch(/^scrypt\$1024\$/);
  });
});
