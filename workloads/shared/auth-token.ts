// Access tokens: HS256 JWTs signed with AUTH_JWT_SECRET, carrying the user id (`sub`) and `role`.
// Every service verifies them itself (defence in depth: the gateway checks them too).
import { createHmac, createSecretKey, randomUUID, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import './context.js';
import type { Principal, Role } from './context.js';
import { ROLES } from './context.js';
import { forbidden, unauthorized } from './problem.js';

export const TOKEN_ISSUER = 'kyc-auth';
export const TOKEN_AUDIENCE = 'kyc-api';
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

const claims = z.object({
  sub: z.string().min(1).max(128),
  role: z.enum(ROLES as [Role, ...Role[]]),
  email: z.string().max(320).optional(),
});

const keyCache = new Map<string, Uint8Array>();
function key(secret: string): Uint8Array {
  let k = keyCache.get(secret);
  if (!k) {
    k = new TextEncoder().encode(secret);
    keyCache.set(secret, k);
  }
  return k;
}

// The HMAC key as a KeyObject, made once: passing raw bytes to createHmac builds a new key object on
// every call, which showed up in the profile of every service's request path.
const hmacKeyCache = new Map<string, KeyObject>();
function hmacKey(secret: string): KeyObject {
  let k = hmacKeyCache.get(secret);
  if (!k) {
    k = createSecretKey(key(secret));
    hmacKeyCache.set(secret, k);
  }
  return k;
}

export async function signAccessToken(principal: Principal, secret: string, ttlSeconds = ACCESS_TOKEN_TTL_SECONDS): Promise<string> {
  return new SignJWT({ role: principal.role, ...(principal.email !== undefined && { email: principal.email }) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(principal.sub)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(key(secret));
}

const base64url = /^[A-Za-z0-9_-]+$/;

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The principal of a valid token, or undefined (bad signature, expired, wrong issuer/audience/claims).
 * Verification is synchronous node:crypto HMAC rather than jose's WebCrypto path: it runs on every
 * request of every service, and the WebCrypto job goes through the thread pool (a measurable hop on
 * a busy 2-core machine). Only HS256 is accepted.
 *
 * A token that verified is remembered (per secret, by its exact text, at most VERIFIED_CACHE_SIZE of
 * them) with its principal and time limits: the same bytes under the same secret verify the same way,
 * so a repeat skips the HMAC, the JSON decoding and the claim schema, while `exp` and `nbf` are checked
 * against the clock on every use. Tokens that fail are never remembered.
 */
export function verifyAccessToken(token: string, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<Principal | undefined> {
  return Promise.resolve(verifyRemembered(token, secret, nowSeconds));
}

export const VERIFIED_CACHE_SIZE = 10_000;

interface Verified {
  principal: Principal;
  exp: number;
  nbf: number | undefined;
}

const verifiedBySecret = new Map<string, Map<string, Verified>>();

function verifyRemembered(token: string, secret: string, now: number): Principal | undefined {
  let verified = verifiedBySecret.get(secret);
  if (!verified) {
    verified = new Map();
    verifiedBySecret.set(secret, verified);
  }
  const known = verified.get(token);
  if (known) {
    if (known.exp <= now) {
      verified.delete(token);
      return undefined;
    }
    if (known.nbf !== undefined && known.nbf > now) return undefined;
    return known.principal;
  }
  const result = verifySync(token, secret, now);
  if (!result) return undefined;
  if (verified.size >= VERIFIED_CACHE_SIZE) verified.clear();
  verified.set(token, result);
  return result.principal;
}

function verifySync(token: string, secret: string, now: number): Verified | undefined {
  if (token.length > 4096) return undefined;
  const [header, payload, signature, extra] = token.split('.');
  if (extra !== undefined || !header || !payload || !signature) return undefined;
  if (!base64url.test(header) || !base64url.test(payload) || !base64url.test(signature)) return undefined;
  if (decodeJson(header)?.alg !== 'HS256') return undefined;
  const expected = createHmac('sha256', hmacKey(secret)).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const claimSet = decodeJson(payload);
  if (!claimSet || claimSet.iss !== TOKEN_ISSUER) return undefined;
  const audience = claimSet.aud;
  if (!(audience === TOKEN_AUDIENCE || (Array.isArray(audience) && audience.includes(TOKEN_AUDIENCE)))) return undefined;
  if (typeof claimSet.exp !== 'number' || claimSet.exp <= now) return undefined;
  if (typeof claimSet.nbf === 'number' && claimSet.nbf > now) return undefined;
  const parsed = claims.safeParse(claimSet);
  if (!parsed.success) return undefined;
  const { sub, role, email } = parsed.data;
  return {
    principal: Object.freeze({ sub, role, ...(email !== undefined && { email }) }),
    exp: claimSet.exp,
    nbf: typeof claimSet.nbf === 'number' ? claimSet.nbf : undefined,
  };
}

export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
  return match?.[1];
}

/**
 * Verifies the Bearer token when there is one and sets `req.principal`. With `required` (default)
 * a missing or bad token is a 401; without it, anonymous requests pass through.
 */
export function authenticate(secret: string, options: { required?: boolean } = {}): RequestHandler {
  const required = options.required ?? true;
  return async (req, _res, next) => {
    const header = req.header('authorization');
    if (header === undefined) {
      if (required) throw unauthorized();
      return next();
    }
    const token = bearerToken(header);
    const principal = token !== undefined ? await verifyAccessToken(token, secret) : undefined;
    if (!principal) throw unauthorized('the access token is missing, malformed, expired or not valid');
    req.principal = principal;
    next();
  };
}

/** Allows the request only for the given roles (after `authenticate`). */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.principal) throw unauthorized();
    if (!roles.includes(req.principal.role)) throw forbidden(`this needs one of the roles: ${roles.join(', ')}`);
    next();
  };
}
