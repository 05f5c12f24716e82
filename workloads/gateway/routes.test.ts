import { describe, expect, it } from '@jest/globals';
import { isPublic, routeTemplate, upstreamFor } from './routes.js';

describe('gateway routes', () => {
  it.each([
    ['/api/v1/auth/login', 'auth'],
    ['/api/v1/admin/users', 'auth'],
    ['/api/v1/applications', 'kyc'],
    ['/api/v1/applications/42/submit', 'kyc'],
    ['/api/v1/review/queue', 'kyc'],
    ['/api/v1/analytics/summary', 'analytics'],
    ['/api/v1/notifications', 'notification'],
  ])('%s goes to %s', (path, upstream) => {
    expect(upstreamFor(path)).toBe(upstream);
  });

  it.each(['/api/v1/applicationsX', '/api/v1/other', '/health', '/api/v1/authx'])('%s goes nowhere', (path) => {
    expect(upstreamFor(path)).toBeUndefined();
  });

  it('only sign-up, login, refresh and logout are public', () => {
    expect(isPublic('POST', '/api/v1/auth/login')).toBe(true);
    expect(isPublic('GET', '/api/v1/auth/login')).toBe(false);
    expect(isPublic('POST', '/api/v1/admin/users')).toBe(false);
  });

  it('templates drop ids', () => {
    expect(routeTemplate('/api/v1/applications/0b9d6f3e-2c1a-4f5e-9a8b-1c2d3e4f5a6b/submit')).toBe('/api/v1/applications/:id/submit');
    expect(routeTemplate('/api/v1/review/17/approve')).toBe('/api/v1/review/:id/approve');
  });
});
