// The platform's public entry attacked from outside, the way an attacker would: raw HTTP over
// node:net (node:tls when the platform serves HTTPS) to the gateway's NodePort on the real node (a
// client library would normalise the attacks away). Every attack must fail with a clear 4xx problem+json, and nothing internal may answer:
//   - absolute-form and authority-form targets (the gateway as an open proxy to internal hosts)
//   - dot-segments, plain and percent-encoded, reaching upstream-internal paths such as /metrics
//   - JSON nested deeply enough to overflow a parser's stack, and bodies over the size limit
//   - X-Forwarded-For forged to get a new rate-limit budget per request
//   - /metrics and /health asked for on the public port
//   - forged access tokens: alg none, HS256 with guessed keys, EdDSA under a real or unknown kid
import { createHmac, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { rawRequest, type RawResponse } from '../support/raw-http.js';
import { NAMESPACE, core, eventually, gatewayUrl, getPlatform, request, waitReady } from './support.js';

/** One request written byte for byte to the gateway's NodePort on a new connection. */
function raw(base: URL, head: string, body: string | Buffer = ''): Promise<RawResponse> {
  return rawRequest(Number(base.port), head, body, base.hostname, undefined, base.protocol === 'https:');
}

function expectProblem(answer: RawResponse, status: number, detail?: RegExp): void {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  if (detail) expect((JSON.parse(answer.body) as { detail: string }).detail).toMatch(detail);
}

const b64url = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Claims an attacker would want: an admin, issued by auth for the API, valid for an hour. */
function adminClaims(): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { sub: randomUUID(), role: 'admin', iss: 'kyc-auth', aud: 'kyc-api', iat: now, exp: now + 3600, jti: randomUUID() };
}

function hs256(key: string): string {
  const signingInput = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(adminClaims())}`;
  return `${signingInput}.${createHmac('sha256', key).update(signingInput).digest('base64url')}`;
}

function eddsaWithAttackerKey(kid: string): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const signingInput = `${b64url({ alg: 'EdDSA', typ: 'JWT', kid })}.${b64url(adminClaims())}`;
  return `${signingInput}.${sign(null, Buffer.from(signingInput), privateKey).toString('base64url')}`;
}

/** The kids of the platform's signing keys (the Secret's token-signing-keys, `kid:key,...`), if readable. */
async function realKids(): Promise<string[]> {
  const platform = await getPlatform();
  const name = platform.spec.secretsRef?.name;
  if (!name) return [];
  const secret = await core.readNamespacedSecret({ namespace: NAMESPACE, name });
  const ring = secret.data?.['token-signing-keys'];
  if (!ring) return [];
  return Buffer.from(ring, 'base64')
    .toString('utf8')
    .split(',')
    .map((entry) => entry.split(':')[0]?.trim() ?? '')
    .filter(Boolean);
}

describe('attacks on the platform through the gateway NodePort', () => {
  let base: URL;
  let host = '';

  beforeAll(async () => {
    const platform = await getPlatform();
    await waitReady(platform.spec.version);
    base = new URL(await gatewayUrl());
    host = base.host;
    await eventually('the gateway answering /ready', async () => (await request(`${base.origin}/ready`)).status === 200, 120_000, 1000);
  }, 720_000);

  it('an absolute-form target naming an internal host is refused with 400, whatever the Host header says', async () => {
    for (const target of [
      `http://${NAMESPACE}-internal.invalid:9090/api/v1/auth/login`,
      'http://127.0.0.1:9090/metrics',
      'http://kubernetes.default.svc/api/v1/namespaces',
    ]) {
      expectProblem(
        await raw(base, `POST ${target} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json`, '{"email":"a@b.c","password":"x"}'),
        400,
        /absolute-form/,
      );
    }
    expectProblem(await raw(base, `CONNECT 127.0.0.1:9090 HTTP/1.1\r\nHost: 127.0.0.1:9090`), 400, /not a forward proxy/);
    expectProblem(await raw(base, `OPTIONS * HTTP/1.1\r\nHost: ${host}`), 400, /asterisk-form/);
  });

  it('dot-segments, plain and percent-encoded, never reach an upstream path outside the public API', async () => {
    for (const target of [
      '/api/v1/applications/../../../metrics',
      '/api/v1/applications/../../../health',
      '/api/v1/auth/../../../.well-known/jwks.json',
      '/api/v1/applications/%2e%2e/%2e%2e/%2e%2e/metrics',
      '/api/v1/applications/%2E%2e/%2E%2E/%2e%2E/metrics',
      '/api/v1/applications/..%2f..%2f..%2fmetrics',
      '/api/v1/applications/..%5c..%5c..%5cmetrics',
      '/api/v1/applications\\..\\..\\..\\metrics',
      '/api/v1//applications',
    ]) {
      const answer = await raw(base, `GET ${target} HTTP/1.1\r\nHost: ${host}`);
      expectProblem(answer, 400, /dot-segment|percent-encoded|backslash|empty segment/);
      expect(answer.body).not.toContain('# HELP');
    }
  });

  it('/metrics and /health are not served on the public port', async () => {
    for (const path of ['/metrics', '/health']) {
      const answer = await raw(base, `GET ${path} HTTP/1.1\r\nHost: ${host}`);
      expectProblem(answer, 404);
      expect(answer.body).not.toContain('# HELP');
      expect(answer.body).not.toContain('checks');
    }
  });

  it('a deeply nested JSON body gets 400 and a body over the limit 413, both problem+json', async () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    for (let i = 0; i < 10; i += 1) {
      const answer = await raw(
        base,
        `POST /api/v1/auth/refresh HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nIdempotency-Key: ${randomUUID()}`,
        deep,
      );
      expectProblem(answer, 400, /deeper than \d+ levels/);
    }
    // The gateway's default body limit is 12 MiB.
    const huge = await raw(
      base,
      `POST /api/v1/auth/refresh HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json`,
      Buffer.alloc(13 * 1024 * 1024, 0x20),
    );
    expectProblem(huge, 413);
    // The platform still answers normally: the burst did not open a breaker.
    expect((await request(`${base.origin}/api/v1/auth/refresh`, { body: { refreshToken: 'x' } })).status).toBeLessThan(500);
  }, 120_000);

  it('forged access tokens get 401: alg none, HS256 with guessed keys, EdDSA signed by another key under a real or unknown kid', async () => {
    const kids = await realKids();
    const none = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(adminClaims())}.`;
    const forged = [
      none,
      hs256('secret'),
      hs256('component-test-secret-0123456789abcdef'),
      hs256('0000000000000000000000000000000000000000000000000000000000000000'),
      eddsaWithAttackerKey('attacker-1'),
      ...kids.map((kid) => eddsaWithAttackerKey(kid)),
    ];
    for (const token of forged) {
      for (const target of ['/api/v1/admin/users', '/api/v1/review/queue', '/api/v1/applications']) {
        const answer = await raw(base, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}`);
        expectProblem(answer, 401);
      }
    }
  });

  it('a forged X-Forwarded-For per request does not get past the per-client rate limit, and the limit refuses with 429 + Retry-After', async () => {
    // Public and cheap upstream (auth refuses the body at once): the limit keys on the client address.
    const refresh = (): Promise<RawResponse> =>
      raw(base, `POST /api/v1/auth/refresh HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json`, '{}');
    // Leave the platform as found (other suites sign up from this address): the window must pass.
    const windowPassed = async (): Promise<void> => {
      await eventually('the rate-limit window to pass', async () => (await refresh()).status !== 429, 90_000, 2000);
    };
    // The window is fixed and starts at the first request after the last one expired. The suites before
    // this one spent part of the current one from this address, so a burst now could straddle two
    // windows and be admitted the limit twice (one run: 806). Spend it, then let it pass: the burst
    // below starts a fresh window.
    for (let i = 0; i < 1000 && (await refresh()).status !== 429; i += 1);
    await windowPassed();
    const statuses: number[] = [];
    let refused: RawResponse | undefined;
    try {
      await burst();
    } finally {
      await windowPassed();
    }
    async function burst(): Promise<void> {
      for (let i = 0; i < 900; i += 1) {
        const forgedFor = `198.51.${Math.floor(i / 250)}.${i % 250}, 203.0.113.${i % 250}`;
        const answer = await raw(
          base,
          `POST /api/v1/auth/refresh HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nX-Forwarded-For: ${forgedFor}\r\nX-Real-IP: ${forgedFor.split(',')[0] ?? ''}`,
          '{}',
        );
        statuses.push(answer.status);
        if (answer.status === 429) refused ??= answer;
        if (statuses.slice(-50).length === 50 && statuses.slice(-50).every((s) => s === 429)) break;
      }
    }
    // The default limit is 600 a minute per client; replicas may each admit a small unsynced batch more.
    const admitted = statuses.filter((s) => s !== 429).length;
    expect(refused).toBeDefined();
    expect(admitted).toBeLessThanOrEqual(700);
    expect(statuses.slice(-50).every((s) => s === 429)).toBe(true);
    expectProblem(refused as RawResponse, 429, /too many requests/);
    expect(Number((refused as RawResponse).headers['retry-after'])).toBeGreaterThan(0);
  }, 400_000);
});
