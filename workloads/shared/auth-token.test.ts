import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it, jest } from '@jest/globals';
import { SignJWT } from 'jose';
import { StaticKeySource } from './jwks.js';
import type { KeySource } from './jwks.js';
import { bearerToken, firstKeysGate, TokenVerifier } from './auth-token.js';
import { ProblemError } from './problem.js';
import type { RevocableToken } from './revocation.js';
import { parseSigningKeys, signAccessToken } from './token-keys.js';

const ringOf = (...kids: string[]): string =>
  kids
    .map((kid) => `${kid}:${generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64')}`)
    .join(',');

const [current, older] = parseSigningKeys(ringOf('k2', 'k1')) as [
  ReturnType<typeof parseSigningKeys>[0],
  ReturnType<typeof parseSigningKeys>[0],
];
const verifier = (): TokenVerifier => new TokenVerifier(new StaticKeySource([current, older]));
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  iss: 'kyc-auth',
  aud: 'kyc-api',
  sub: 'u1',
  role: 'admin',
  iat: Date.now() / 1000,
  exp: Math.floor(Date.now() / 1000) + 300,
  ...extra,
});

describe('access tokens', () => {
  it('round-trips sub and role, signed by the first key of the ring with its kid', () => {
    const token = signAccessToken({ sub: 'u1', role: 'maker' }, current);
    expect(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString())).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: 'k2' });
    expect(verifier().check(token)).toEqual({ ok: true, principal: { sub: 'u1', role: 'maker' } });
  });

  it('accepts tokens of every published key (rotation logs no one out)', () => {
    expect(verifier().check(signAccessToken({ sub: 'u1', role: 'customer' }, older)).ok).toBe(true);
  });

  it('when a token is signed with the old HS256 shared secret, then it is refused', async () => {
    const secret = 'component-test-secret-0123456789abcdef';
    const hs256 = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k2' })
      .setSubject('u1')
      .setIssuer('kyc-auth')
      .setAudience('kyc-api')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(secret));
    expect(verifier().check(hs256)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('when a token is HMAC-signed with the public key as the secret (key confusion), then it is refused', () => {
    const header = b64({ alg: 'HS256', kid: 'k2' });
    const payload = b64(claims());
    const publicPem = current.publicKey.export({ format: 'pem', type: 'spki' });
    const mac = createHmac('sha256', publicPem).update(`${header}.${payload}`).digest('base64url');
    expect(verifier().check(`${header}.${payload}.${mac}`).ok).toBe(false);
  });

  it('when a token says alg none, RS256, or an unknown kid, then it is refused', () => {
    const payload = b64(claims());
    expect(verifier().check(`${b64({ alg: 'none' })}.${payload}.`).ok).toBe(false);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsHeader = b64({ alg: 'RS256', kid: 'k2' });
    const rs = sign('sha256', Buffer.from(`${rsHeader}.${payload}`), rsa.privateKey).toString('base64url');
    expect(verifier().check(`${rsHeader}.${payload}.${rs}`)).toEqual({ ok: false, reason: 'invalid' });
    const [stranger] = parseSigningKeys(ringOf('k3'));
    expect(verifier().check(signAccessToken({ sub: 'u1', role: 'admin' }, stranger!))).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('when a key outside the ring signs under a known kid, or the payload is tampered, then the signature fails', () => {
    const [attacker] = parseSigningKeys(ringOf('k2'));
    expect(verifier().check(signAccessToken({ sub: 'u1', role: 'admin' }, attacker!))).toEqual({ ok: false, reason: 'invalid' });
    const token = signAccessToken({ sub: 'u1', role: 'customer' }, current);
    const [header, , signature] = token.split('.') as [string, string, string];
    expect(verifier().check(`${header}.${b64(claims())}.${signature}`).ok).toBe(false);
    expect(verifier().check(`${token}.extra`).ok).toBe(false);
    expect(verifier().check('not.a.token').ok).toBe(false);
  });

  it('rejects expired tokens, unknown roles, other issuers and audiences, and a crit header', () => {
    const v = verifier();
    expect(v.check(signAccessToken({ sub: 'u1', role: 'admin' }, current, { ttlSeconds: -10 }))).toEqual({ ok: false, reason: 'invalid' });
    const signed = (header: Record<string, unknown>, body: Record<string, unknown>): string => {
      const h = b64(header);
      const p = b64(body);
      return `${h}.${p}.${sign(null, Buffer.from(`${h}.${p}`), current.privateKey).toString('base64url')}`;
    };
    expect(v.check(signed({ alg: 'EdDSA', kid: 'k2' }, claims())).ok).toBe(true);
    expect(v.check(signed({ alg: 'EdDSA', kid: 'k2' }, claims({ role: 'root' }))).ok).toBe(false);
    expect(v.check(signed({ alg: 'EdDSA', kid: 'k2' }, claims({ iss: 'someone' }))).ok).toBe(false);
    expect(v.check(signed({ alg: 'EdDSA', kid: 'k2' }, claims({ aud: 'other' }))).ok).toBe(false);
    expect(v.check(signed({ alg: 'EdDSA', kid: 'k2', crit: ['x'] }, claims())).ok).toBe(false);
    expect(v.check(signed({ alg: 'EdDSA' }, claims())).ok).toBe(false);
  });

  it('checks the time limits of a remembered token on every use', () => {
    const v = verifier();
    const now = Date.now();
    const token = signAccessToken({ sub: 'u2', role: 'checker' }, current, { ttlSeconds: 60, nowMs: now });
    expect(v.check(token, now).ok).toBe(true);
    expect(v.check(token, now + 1000).ok).toBe(true);
    expect(v.check(token, now + 61_000)).toEqual({ ok: false, reason: 'expired' });
    expect(v.check(token, now + 61_000).ok).toBe(false);
  });

  it('checks the revocation list on every use, remembered or not', () => {
    const revoked = new Set<string>();
    const v = new TokenVerifier(new StaticKeySource([current]), { isRevoked: (t: RevocableToken) => revoked.has(t.jti ?? '') });
    const token = signAccessToken({ sub: 'u5', role: 'customer' }, current);
    expect(v.check(token).ok).toBe(true);
    revoked.add((JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { jti: string }).jti);
    expect(v.check(token)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('when a key stops being published, then its remembered tokens stop verifying', () => {
    let trusted = true;
    const source: KeySource = {
      loaded: true,
      key: (kid) => (trusted && kid === 'k2' ? current.publicKey : undefined),
      refreshForUnknownKid: () => Promise.resolve(false),
      close: () => undefined,
    };
    const v = new TokenVerifier(source);
    const token = signAccessToken({ sub: 'u6', role: 'admin' }, current);
    expect(v.check(token).ok).toBe(true);
    trusted = false;
    expect(v.check(token).ok).toBe(false);
  });

  it('loads the keys again for an unknown kid, and answers 503 until any key set is loaded', async () => {
    let keys: Map<string, typeof current.publicKey> = new Map();
    let loaded = false;
    const refresh = jest.fn(() => {
      keys = new Map([['k2', current.publicKey]]);
      loaded = true;
      return Promise.resolve(true);
    });
    const source: KeySource = {
      get loaded() {
        return loaded;
      },
      key: (kid) => keys.get(kid),
      refreshForUnknownKid: refresh,
      close: () => undefined,
    };
    const v = new TokenVerifier(source);
    const token = signAccessToken({ sub: 'u7', role: 'maker' }, current);
    expect(v.check(token)).toEqual({ ok: false, reason: 'no-keys' });
    expect(await v.principal(token)).toEqual({ sub: 'u7', role: 'maker' });
    expect(refresh).toHaveBeenCalledTimes(1);
    const never: KeySource = {
      loaded: false,
      key: () => undefined,
      refreshForUnknownKid: () => Promise.resolve(false),
      close: () => undefined,
    };
    await expect(new TokenVerifier(never).principal(token)).rejects.toMatchObject({ status: 503 });
    await expect(verifier().principal('garbage')).rejects.toBeInstanceOf(ProblemError);
  });

  it('parses Bearer headers strictly', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('Basic xyz')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

describe('the start-up gate on auth keys', () => {
  it('holds a pod not Ready until the first key set has loaded, then stays open when the keys go', () => {
    const keys = { loaded: false };
    let clock = 0;
    const gate = firstKeysGate(keys, 60_000, () => clock);
    expect(gate()).toBe(false);
    clock = 5_000;
    expect(gate()).toBe(false);
    keys.loaded = true;
    expect(gate()).toBe(true);
    // Open for good: later trouble with auth is answered by the last good key set, not by readiness.
    keys.loaded = false;
    expect(gate()).toBe(true);
  });

  it('opens after the bounded wait without keys (authenticated routes then answer 503)', () => {
    let clock = 0;
    const gate = firstKeysGate({ loaded: false }, 60_000, () => clock);
    clock = 59_999;
    expect(gate()).toBe(false);
    clock = 60_000;
    expect(gate()).toBe(true);
  });
});
