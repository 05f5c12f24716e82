import { describe, expect, it } from '@jest/globals';
import { isPublic, matchRoute, routeLabels, upstreamFor } from './routes.js';

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

  it('labels come from the route table, never from a path segment', () => {
    expect(matchRoute('/api/v1/applications/0b9d6f3e-2c1a-4f5e-9a8b-1c2d3e4f5a6b/submit')?.label).toBe(
      'kyc:/api/v1/applications/:id/submit',
    );
    expect(matchRoute('/api/v1/review/17/approve')?.label).toBe('kyc:/api/v1/review/:id/approve');
    // A PAN or an e-mail address where an id goes is a parameter like any other.
    expect(matchRoute('/api/v1/applications/ABCDE1234F')?.label).toBe('kyc:/api/v1/applications/:id');
    expect(matchRoute('/api/v1/applications/ABCDE1234F/asha@example.com/x/y')?.label).toBe('kyc:/api/v1/applications/*');
    expect(matchRoute('/api/v1/auth/asha@example.com')?.label).toBe('auth:/api/v1/auth/*');
    for (const path of [
      '/api/v1/applications/ABCDE1234F',
      '/api/v1/auth/a@b.c',
      '/api/v1/analytics/x/y/z',
      '/api/v1/review/ABCDE1234F/approve',
    ]) {
      expect(routeLabels()).toContain(matchRoute(path)?.label);
    }
  });

  it('only the analytics summary is free of personal data (the stale cache may keep nothing else)', () => {
    expect(matchRoute('/api/v1/analytics/summary')?.personal).toBe(false);
    for (const path of [
      '/api/v1/applications/1',
      '/api/v1/applications/1/documents/2',
      '/api/v1/review/queue',
      '/api/v1/notifications',
      '/api/v1/auth/me',
      '/api/v1/admin/users',
    ]) {
      expect(matchRoute(path)?.personal).toBe(true);
    }
  });
});
