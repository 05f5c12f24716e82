import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createLogger, memoryDestination } from './logger.js';
import { NUMBER_PATTERNS, PATTERNS, REDACTED, scrub, scrubString } from './redact.js';

describe('scrub', () => {
  it('removes values of secret keys at any depth', () => {
    const out = scrub({ user: { password: 'hunter2', email: 'a@b.c' }, headers: { Authorization: 'Bearer abc' }, refresh_token: 'x' });
    expect(out).toEqual({ user: { password: REDACTED, email: 'a@b.c' }, headers: { Authorization: REDACTED }, refresh_token: REDACTED });
  });

  it.each([
    ['pan ABCPE1234F inside text', 'ABCPE1234F'],
    ['lower-case pan abcpe1234f', 'abcpe1234f'],
    ['aadhaar 2341 2341 2346', '2341 2341 2346'],
    ['aadhaar 234123412346', '234123412346'],
    ['vid 1234-5678-9012-3456', '1234-5678-9012-3456'],
    ['token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl', 'eyJhbGciOiJIUzI1NiJ9'],
    ['header Bearer abc.def.ghi', 'abc.def.ghi'],
    ['url postgres://kyc:s3cret@db:5432/kyc', 's3cret'],
  ])('removes secrets from strings: %s', (input, secret) => {
    expect(scrubString(input)).not.toContain(secret);
  });

  it('gives what every pattern applied in turn gives (the quick pre-test skips only strings none can match)', () => {
    const everyPattern = (value: string): string =>
      [...PATTERNS, ...NUMBER_PATTERNS].reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), value);
    const piece = fc.constantFrom(
      'ABCPE',
      '1234',
      '2341 2341 2346',
      'F',
      'eyJ',
      'abcde.',
      'Bearer ',
      'basic ',
      'x://u:',
      'p@h',
      ' ',
      '-',
      '9',
      'a',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 12 }).map((parts) => parts.join('')),
        fc.string(),
        (built, random) => {
          expect(scrubString(built)).toBe(everyPattern(built));
          expect(scrubString(random)).toBe(everyPattern(random));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('keeps UUIDs whole, even where their digits look like an Aadhaar, VID or 12-digit number', () => {
    const ids = ['95010838-7746-4152-a7ca-3a3c8820af89', '6705fac8-1234-4567-8901-a1e892bca3e9', 'abcdef12-abcd-4bcd-8bcd-123456789012'];
    for (const id of ids) {
      expect(scrubString(`PATCH /api/v1/applications/${id} 200`)).toBe(`PATCH /api/v1/applications/${id} 200`);
      // Identity numbers next to it still go.
      expect(scrubString(`${id} aadhaar 2341 2341 2346 and 234123412346`)).toBe(`${id} aadhaar [ID-NUMBER] and [ID-NUMBER]`);
    }
  });

  it('still removes a UUID-shaped password from a URL and a UUID-shaped bearer token', () => {
    expect(scrubString('postgres://kyc:95010838-7746-4152-a7ca-3a3c8820af89@db:5432/kyc')).toBe('postgres://kyc:[REDACTED]@db:5432/kyc');
    expect(scrubString('Bearer 95010838-7746-4152-a7ca-3a3c8820af89')).toBe('Bearer [REDACTED]');
  });

  it('keeps ordinary text', () => {
    expect(scrubString('GET /api/v1/applications/42 200 in 12ms')).toBe('GET /api/v1/applications/42 200 in 12ms');
  });
});

describe('createLogger', () => {
  it('writes JSON lines without secrets from objects or messages', () => {
    const destination = memoryDestination();
    const logger = createLogger({ component: 'test', destination });
    logger.info({ body: { password: 'pw-123456', pan: 'ABCPE1234F', note: 'aadhaar 234123412346' } }, 'login for ABCPE1234F');
    logger.error({ err: new Error('bad token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl') }, 'failed');
    const text = destination.text();
    expect(text).not.toMatch(/pw-123456|ABCPE1234F|234123412346|eyJhbGciOiJIUzI1NiJ9/);
    const first = JSON.parse(destination.lines[0] ?? '{}') as Record<string, unknown>;
    expect(first).toMatchObject({ level: 'info', component: 'test', msg: 'login for [PAN]' });
  });
});
