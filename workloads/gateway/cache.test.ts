import { describe, expect, it } from '@jest/globals';
import { mayStore } from './cache.js';
import { matchRoute } from './routes.js';

describe('mayStore (what the stale cache may keep)', () => {
  const summary = { personal: false };

  it('keeps a 200 GET of a route without personal data', () => {
    expect(mayStore(summary, 'GET', 200, { 'content-type': 'application/json' })).toBe(true);
    expect(mayStore(summary, 'GET', 200, { 'cache-control': 'max-age=0, stale-if-error=600' })).toBe(true);
  });

  it('never keeps application views, documents, the review queue, notifications or accounts', () => {
    for (const path of [
      '/api/v1/applications/1',
      '/api/v1/applications/1/documents/2',
      '/api/v1/review/queue',
      '/api/v1/notifications',
      '/api/v1/auth/me',
    ]) {
      const route = matchRoute(path);
      expect(route && mayStore(route, 'GET', 200, {})).toBe(false);
    }
  });

  it('honours no-store and private from the upstream', () => {
    expect(mayStore(summary, 'GET', 200, { 'cache-control': 'no-store' })).toBe(false);
    expect(mayStore(summary, 'GET', 200, { 'cache-control': 'max-age=60, No-Store' })).toBe(false);
    expect(mayStore(summary, 'GET', 200, { 'cache-control': 'private, max-age=60' })).toBe(false);
    expect(mayStore(summary, 'GET', 200, { 'cache-control': 'private="set-cookie"' })).toBe(false);
  });

  it('keeps only whole successful GET answers', () => {
    expect(mayStore(summary, 'POST', 200, {})).toBe(false);
    expect(mayStore(summary, 'GET', 206, {})).toBe(false);
    expect(mayStore(summary, 'GET', 404, {})).toBe(false);
  });
});
