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

  it('checks the time limits of a remembered token on every use', async () => {
    const token = await signAccessToken({ sub: 'u2', role: 'checker' }, secret, 60);
    const now = Math.floor(Date.now() / 1000);
    expect(await verifyAccessToken(token, secret, now)).toEqual({ sub: 'u2', role: 'checker' });
    expect(await verifyAccessToken(token, secret, now + 1)).toEqual({ sub: 'u2', role: 'checker' });
    expect(await verifyAccessToken(token, `${secret}-other`, now)).toBeUndefined();
    expect(await verifyAccessToken(token, secret, now + 61)).toBeUndefined();
    expect(await verifyAccessToken(token, secret, now + 61)).toBeUndefined();
    const notYet = await new SignJWT({ role: 'maker' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u3')
      .setIssuer('kyc-auth')
      .setAudience('kyc-api')
      .setNotBefore(now + 30)
      .setExpirationTime(now + 90)
      .sign(new TextEncoder().encode(secret));
    expect(await verifyAccessToken(notYet, secret, now + 31)).toEqual({ sub: 'u3', role: 'maker' });
    expect(await verifyAccessToken(notYet, secret, now)).toBeUndefined();
  });

  it('never remembers a token that failed', async () => {
    const token = await signAccessToken({ sub: 'u4', role: 'customer' }, secret);
    expect(await verifyAccessToken(token, `${secret}-other`)).toBeUndefined();
    expect(await verifyAccessToken(token, secret)).toEqual({ sub: 'u4', role: 'customer' });
    expect(await verifyAccessToken(token, `${secret}-other`)).toBeUndefined();
  });

  it('parses Bearer headers strictly', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('Basic xyz')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
