import { describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { bearerToken, signAccessToken, verifyAccessToken } from './auth-token.js';

const secret = 'a-test-secret-that-is-long-enough-for-hs256';

describe('access tokens', () => {
  it('round-trips sub and role', async () => {
    const token = await signAccessToken({ sub: 'u1', role: 'maker' }, secret);
    expect(await verifyAccessToken(token, secret)).toEqual({ sub: 'u1', role: 'maker' });
  });

  it('rejects another secret, expired tokens, unknown roles and garbage', async () => {
    const token = await signAccessToken({ sub: 'u1', role: 'admin' }, secret);
    expect(await verifyAccessToken(token, `${secret}-other`)).toBeUndefined();
    expect(await verifyAccessToken(await signAccessToken({ sub: 'u1', role: 'admin' }, secret, -10), secret)).toBeUndefined();
    const forged = await new SignJWT({ role: 'root' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u1')
      .setIssuer('kyc-auth')
      .setAudience('kyc-api')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(secret));
    expect(await verifyAccessToken(forged, secret)).toBeUndefined();
    expect(await verifyAccessToken('not.a.token', secret)).toBeUndefined();
  });

  it('rejects alg none and tampered payloads', async () => {
    const token = await signAccessToken({ sub: 'u1', role: 'customer' }, secret);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const none = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    expect(await verifyAccessToken(`${none}.${payload}.`, secret)).toBeUndefined();
    const admin = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'admin' })).toString('base64url');
    expect(await verifyAccessToken(`${header}.${admin}.${signature}`, secret)).toBeUndefined();
    expect(await verifyAccessToken(`${token}.extra`, secret)).toBeUndefined();
  });

  it('parses Bearer headers strictly', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('Basic xyz')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
