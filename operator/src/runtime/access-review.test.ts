import { describe, expect, it } from '@jest/globals';
import { AccessReviewer } from './access-review.js';

interface Created {
  kind: string;
  body: { spec: Record<string, unknown> };
}

/** An API server that accepts one token and allows one user, recording every review it is sent. */
function apiServer() {
  const created: Created[] = [];
  const client = {
    create: <T>(type: { kind: string }, _namespace: string, object: unknown): Promise<T> => {
      const body = object as Created['body'];
      created.push({ kind: type.kind, body });
      if (type.kind === 'TokenReview') {
        const ok = body.spec.token === 'good-token';
        return Promise.resolve({
          status: ok ? { authenticated: true, user: { username: 'system:serviceaccount:monitoring:prometheus', groups: ['g'] } } : {},
        } as T);
      }
      return Promise.resolve({ status: { allowed: body.spec.user === 'system:serviceaccount:monitoring:prometheus' } } as T);
    },
  };
  return { client, created };
}

describe('AccessReviewer', () => {
  const metrics = { nonResourceAttributes: { path: '/metrics', verb: 'get' } } as const;

  it('when a token is accepted, then its user and groups; a rejected one is undefined', async () => {
    const { client } = apiServer();
    const reviewer = new AccessReviewer(client);
    expect(await reviewer.authenticate('good-token')).toEqual({ user: 'system:serviceaccount:monitoring:prometheus', groups: ['g'] });
    expect(await reviewer.authenticate('bad-token')).toBeUndefined();
  });

  it('sends the SubjectAccessReview with the attributes asked for', async () => {
    const { client, created } = apiServer();
    const reviewer = new AccessReviewer(client);
    expect(await reviewer.allowed({ user: 'system:serviceaccount:monitoring:prometheus', groups: ['g'] }, metrics)).toBe(true);
    expect(await reviewer.allowed({ user: 'someone', groups: [] }, metrics)).toBe(false);
    expect(created[0]).toEqual({
      kind: 'SubjectAccessReview',
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: 'system:serviceaccount:monitoring:prometheus',
          groups: ['g'],
          nonResourceAttributes: { path: '/metrics', verb: 'get' },
        },
      },
    });
  });

  it('when asked again within the TTL, then the API server is not asked again; after it, it is', async () => {
    const { client, created } = apiServer();
    let clock = 1_000;
    const reviewer = new AccessReviewer(client, 10_000, () => clock);
    const caller = await reviewer.authenticate('good-token');
    await reviewer.authenticate('bad-token');
    await reviewer.allowed(caller!, metrics);
    clock += 9_999;
    await reviewer.authenticate('good-token');
    await reviewer.authenticate('bad-token');
    await reviewer.allowed(caller!, metrics);
    expect(created.map((c) => c.kind)).toEqual(['TokenReview', 'TokenReview', 'SubjectAccessReview']);
    clock += 2;
    await reviewer.authenticate('good-token');
    await reviewer.allowed(caller!, metrics);
    expect(created.map((c) => c.kind)).toEqual(['TokenReview', 'TokenReview', 'SubjectAccessReview', 'TokenReview', 'SubjectAccessReview']);
  });

  it('when the API server fails, then the error is thrown and nothing is cached', async () => {
    let fail = true;
    const calls: string[] = [];
    const reviewer = new AccessReviewer({
      create: <T>(type: { kind: string }): Promise<T> => {
        calls.push(type.kind);
        return fail ? Promise.reject(new Error('503')) : Promise.resolve({ status: { authenticated: true, user: { username: 'u' } } } as T);
      },
    });
    await expect(reviewer.authenticate('t')).rejects.toThrow('503');
    fail = false;
    expect(await reviewer.authenticate('t')).toEqual({ user: 'u', groups: [] });
    expect(calls).toEqual(['TokenReview', 'TokenReview']);
  });
});
