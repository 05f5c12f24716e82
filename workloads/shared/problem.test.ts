import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import {
  ProblemError,
  TEMPORARILY_UNAVAILABLE,
  fromZodError,
  parseOrProblem,
  serviceUnavailable,
  toProblem,
  tooManyRequests,
  validationProblem,
} from './problem.js';

describe('problems', () => {
  it('a validation problem names the field', () => {
    const body = validationProblem('pan', 'PAN must be 10 characters').toBody('/api/v1/applications/1', 'req-1');
    expect(body).toMatchObject({
      status: 422,
      field: 'pan',
      errors: [{ field: 'pan' }],
      instance: '/api/v1/applications/1',
      requestId: 'req-1',
    });
    expect(body.type).toMatch(/^https:\/\//);
  });

  it('zod errors become 422 with the dotted field path', () => {
    const schema = z.object({ address: z.object({ pin: z.string().regex(/^\d{6}$/) }) });
    const problem = fromZodError(schema.safeParse({ address: { pin: 'x' } }).error!);
    expect(problem.status).toBe(422);
    expect(problem.field).toBe('address.pin');
    expect(() => parseOrProblem(schema, null)).toThrow(ProblemError);
  });

  it('maps body-parser errors to 4xx and unknown errors to 500', () => {
    expect(toProblem(Object.assign(new Error('x'), { type: 'entity.parse.failed', status: 400 })).status).toBe(400);
    expect(toProblem(Object.assign(new Error('x'), { type: 'entity.too.large', status: 413 })).status).toBe(413);
    expect(toProblem(new Error('boom')).status).toBe(500);
  });

  it('a body that does not decompress is a 400 naming Content-Encoding, not a bare Bad Request', () => {
    for (const code of ['Z_DATA_ERROR', 'Z_BUF_ERROR', 'ZSTD_error_prefix_unknown']) {
      const problem = toProblem(Object.assign(new Error('Bad Request'), { status: 400, expose: true, code }));
      expect([problem.status, problem.field, problem.message]).toEqual([
        400,
        'Content-Encoding',
        'the request body does not decompress as its Content-Encoding says',
      ]);
    }
  });

  it('429 carries Retry-After', () => {
    expect(tooManyRequests(2.2).headers['Retry-After']).toBe('3');
  });

  it('503 carries Retry-After and the one "temporarily unavailable" type', () => {
    const problem = serviceUnavailable(0.2, 'the sign-in store is unavailable');
    expect([problem.status, problem.type, problem.headers['Retry-After']]).toEqual([503, TEMPORARILY_UNAVAILABLE, '1']);
  });
});
