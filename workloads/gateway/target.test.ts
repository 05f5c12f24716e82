import { describe, expect, it } from '@jest/globals';
import { MAX_TARGET_LENGTH, checkRequestTarget } from './target.js';

describe('checkRequestTarget', () => {
  it.each([
    ['/api/v1/applications', '/api/v1/applications', ''],
    [
      '/api/v1/applications/0b9d6f3e-2c1a-4f5e-9a8b-1c2d3e4f5a6b/submit',
      '/api/v1/applications/0b9d6f3e-2c1a-4f5e-9a8b-1c2d3e4f5a6b/submit',
      '',
    ],
    ['/api/v1/notifications?limit=10&x=a%20b', '/api/v1/notifications', 'limit=10&x=a%20b'],
    ['/api/v1/openapi.json', '/api/v1/openapi.json', ''],
    ['/api/v1/auth/me?next=/a/../b', '/api/v1/auth/me', 'next=/a/../b'],
    ['/ready', '/ready', ''],
    ['/', '/', ''],
    ['/api/v1/applications/a%20b', '/api/v1/applications/a%20b', ''],
  ])('accepts the normalised origin-form target %s', (target, path, query) => {
    expect(checkRequestTarget(target)).toEqual({ ok: true, path, query });
  });

  it.each([
    ['http://evil:1234/api/v1/auth/login', /absolute-form/],
    ['HTTP://127.0.0.1/api/v1/applications', /absolute-form/],
    ['https://kyc-dev-kyc:8080/metrics', /absolute-form/],
    ['evil.example:443', /authority-form/],
    ['127.0.0.1:8080', /authority-form/],
    ['*', /asterisk-form/],
    ['api/v1/applications', /must be a path/],
    ['', /empty/],
  ])('refuses the target %s as not origin-form', (target, reason) => {
    const verdict = checkRequestTarget(target);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? '' : verdict.reason).toMatch(reason);
  });

  it.each([
    '/api/v1/applications/../../../metrics',
    '/api/v1/applications/..',
    '/api/v1/./applications',
    '/api/v1/applications/%2e%2e/%2e%2e/metrics',
    '/api/v1/applications/%2E%2e/x',
    '/api/v1/applications/.%2E/x',
    '/api/v1/applications/%2e',
    '/api/v1/applications/a%2fb',
    '/api/v1/applications/..%2F..%2Fmetrics',
    '/api/v1/applications/..%5c..%5cmetrics',
    '/api/v1/applications\\..\\..\\metrics',
    '/api/v1//applications',
    '//evil.example/api/v1/applications',
    '/api/v1/applications/',
    '/api/v1/applications/%00',
    '/api/v1/applications/%0d%0aSet-Cookie:x',
    '/api/v1/applications/%7F',
    '/api/v1/applications/%ZZ',
    '/api/v1/applications/%2',
    '/api/v1/applications/a\u0000b',
    '/api/v1/applications/a b',
    '/api/v1/applications/\u00e9',
    '/api/v1/applications#frag',
    '/api/v1/notifications?x=%00',
  ])('refuses the non-normalised or unsafe target %j', (target) => {
    const verdict = checkRequestTarget(target);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? '' : verdict.reason).toMatch(
      /dot-segment|percent|backslash|empty segment|ends with a slash|control character|fragment/,
    );
  });

  it('refuses a target longer than the limit, and says so', () => {
    const verdict = checkRequestTarget(`/api/v1/applications/${'a'.repeat(MAX_TARGET_LENGTH)}`);
    expect(verdict).toEqual({ ok: false, reason: `the request target is longer than ${MAX_TARGET_LENGTH} characters` });
  });
});
