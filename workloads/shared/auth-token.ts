// Access-token verification, shared by every service (defence in depth: the gateway checks tokens, and
// so does each service behind it). Tokens are EdDSA (Ed25519) JWTs signed by auth alone (token-keys.ts);
// verifiers know auth's public keys (jwks.ts) and the shared revocation list (revocation.ts).
import { verify as verifySignature } from 'node:crypto';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import './context.js';
import type { Principal, Role } from './context.js';
import { ROLES } from './context.js';
import { JwksKeySource } from './jwks.js';
import type { KeySource } from './jwks.js';
import type { Lifecycle } from './lifecycle.js';
import type { Logger } from './logger.js';
import type { PeerTrust } from './tls.js';
import { forbidden, serviceUnavailable, unauthorized } from './problem.js';
import { closeRedis, createRedis } from './redis.js';
import { RevocationList } from './revocation.js';
import type { RevocationCheck } from './revocation.js';
import { TOKEN_ALGORITHM, TOKEN_AUDIENCE, TOKEN_ISSUER } from './token-keys.js';

export { ACCESS_TOKEN_TTL_SECONDS, TOKEN_AUDIENCE, TOKEN_ISSUER, signAccessToken } from './token-keys.js';

const claims = z.object({
  sub: z.string().min(1).max(128),
  role: z.enum(ROLES as [Role, ...Role[]]),
  email: z.string().max(320).optional(),
  jti: z.string().min(1).max(128).optional(),
  sid: z.string().min(1).max(128).optional(),
  iat: z.number(),
});

const base64url = /^[A-Za-z0-9_-]+$/;

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export type TokenCheck =
  { ok: true; principal: Principal } | { ok: false; reason: 'invalid' | 'expired' | 'revoked' | 'unknown-key' | 'no-keys' };

interface Verified {
  principal: Principal;
  kid: string;
  exp: number;
  nbf: number | undefined;
  jti: string | undefined;
  sid: string | undefined;
  issuedAtMs: number;
}

export const VERIFIED_CACHE_SIZE = 10_000;

const NOT_REVOKED: RevocationCheck = { isRevoked: () => false };

/**
 * Verifies access tokens: signature (EdDSA only, by a kid the key source knows), issuer, audience,
 * time limits, claims, and the revocation list.
 *
 * The signature check is synchronous node:crypto rather than jose's WebCrypto path: it runs on every
 * request of every service, and the WebCrypto job goes through the thread pool (a measurable hop on a
 * busy 2-core machine). A token that verified is remembered by its exact text (at most
 * VERIFIED_CACHE_SIZE of them) with its principal and limits: the same bytes verify the same way, so a
 * repeat skips the signature, the JSON decoding and the claim schema — while the clock, the key still
 * being trusted (a key dropped from the JWKS takes its tokens with it) and the revocation list are
 * checked on every use. Tokens that fail are never remembered.
 */
export class TokenVerifier {
  private readonly verified = new Map<string, Verified>();

  constructor(
    private readonly keys: KeySource,
    private readonly revocations: RevocationCheck = NOT_REVOKED,
  ) {}

  /** The synchronous check (no key refresh). */
  check(token: string, nowMs = Date.now()): TokenCheck {
    const now = nowMs / 1000;
    let entry = this.verified.get(token);
    if (entry && this.keys.key(entry.kid) === undefined) {
      this.verified.delete(token);
      entry = undefined;
    }
    if (!entry) {
      const result = this.verifySignedToken(token, now);
      if ('reason' in result) return { ok: false, reason: result.reason };
      entry = result;
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.clear();
      this.verified.set(token, entry);
    }
    if (entry.exp <= now) {
      this.verified.delete(token);
      return { ok: false, reason: 'expired' };
    }
    if (entry.nbf !== undefined && entry.nbf > now) return { ok: false, reason: 'invalid' };
    if (this.revocations.isRevoked({ jti: entry.jti, sid: entry.sid, sub: entry.principal.sub, issuedAtMs: entry.issuedAtMs }, nowMs))
      return { ok: false, reason: 'revoked' };
    return { ok: true, principal: entry.principal };
  }

  /** The id and expiry of a token that verifies now (logout revokes the token it was sent with). */
  handle(token: string): { jti: string; expiresAtMs: number } | undefined {
    if (!this.check(token).ok) return undefined;
    const entry = this.verified.get(token);
    return entry?.jti !== undefined ? { jti: entry.jti, expiresAtMs: entry.exp * 1000 } : undefined;
  }

  /** The check, after loading auth's keys again when the token names a kid not seen yet (rate-limited). */
  async verify(token: string): Promise<TokenCheck> {
    const first = this.check(token);
    if (first.ok || (first.reason !== 'unknown-key' && first.reason !== 'no-keys')) return first;
    return (await this.keys.refreshForUnknownKid()) ? this.check(token) : first;
  }

  /** The principal, or the problem to answer: 401 for a bad token, 503 while no keys are loaded. */
  async principal(token: string): Promise<Principal> {
    const result = await this.verify(token);
    if (result.ok) return result.principal;
    if (result.reason === 'no-keys') throw serviceUnavailable(5, 'the token keys are not loaded yet; try again shortly');
    if (result.reason === 'revoked') throw unauthorized('the access token was revoked (signed out or the role changed); sign in again');
    throw unauthorized('the access token is malformed, expired or not valid');
  }

  private verifySignedToken(token: string, now: number): Verified | { reason: 'invalid' | 'unknown-key' | 'no-keys' } {
    const invalid = { reason: 'invalid' } as const;
    if (token.length > 4096) return invalid;
    const [header, payload, signature, extra] = token.split('.');
    if (extra !== undefined || !header || !payload || !signature) return invalid;
    if (!base64url.test(header) || !base64url.test(payload) || !base64url.test(signature)) return invalid;
    const protectedHeader = decodeJson(header);
    // Only EdDSA: `none`, HS256 (the old shared-secret scheme, or an attacker "signing" with a public
    // key as an HMAC secret), RS256 and the rest never reach a key.
    if (protectedHeader?.alg !== TOKEN_ALGORITHM) return invalid;
    const kid = protectedHeader.kid;
    if (typeof kid !== 'string' || kid.length > 64) return invalid;
    if (protectedHeader.crit !== undefined) return invalid;
    const key = this.keys.key(kid);
    if (!key) return { reason: this.keys.loaded ? 'unknown-key' : 'no-keys' };
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== 64 || !verifySignature(null, Buffer.from(`${header}.${payload}`), key, given)) return invalid;
    const claimSet = decodeJson(payload);
    if (!claimSet || claimSet.iss !== TOKEN_ISSUER) return invalid;
    const audience = claimSet.aud;
    if (!(audience === TOKEN_AUDIENCE || (Array.isArray(audience) && audience.includes(TOKEN_AUDIENCE)))) return invalid;
    if (typeof claimSet.exp !== 'number' || claimSet.exp <= now) return invalid;
    const parsed = claims.safeParse(claimSet);
    if (!parsed.success) return invalid;
    const { sub, role, email, jti, sid, iat } = parsed.data;
    return {
      principal: Object.freeze({ sub, role, ...(email !== undefined && { email }) }),
      kid,
      exp: claimSet.exp,
      nbf: typeof claimSet.nbf === 'number' ? claimSet.nbf : undefined,
      jti,
      sid,
      issuedAtMs: iat * 1000,
    };
  }
}

export interface TokenVerifierConfig {
  AUTH_JWKS_URL: string;
  AUTH_JWKS_REFRESH_SECONDS: number;
  AUTH_JWKS_MIN_REFRESH_SECONDS: number;
  AUTH_JWKS_STARTUP_WAIT_SECONDS: number;
  AUTH_REVOCATION_SYNC_SECONDS: number;
  REDIS_URL: string;
  REDIS_KEY_PREFIX: string;
}

export interface RunningVerifier {
  verifier: TokenVerifier;
  revocations: RevocationList;
  keys: KeySource;
  close(): Promise<void>;
}

/**
 * A starting pod's readiness gate on auth's keys: closed until the first key set has loaded, or until
 * `maxWaitMs` has passed; then open for good. Without it a pod scaled out while its first JWKS fetch
 * failed (its network not yet programmed, auth briefly away) was Ready with no keys and answered every
 * authenticated request 503 until the retry (the autoscaling suite caught 18 such answers). Once open,
 * losing auth costs nothing: the last good key set stays in use (jwks.ts).
 */
export function firstKeysGate(keys: Pick<KeySource, 'loaded'>, maxWaitMs: number, now: () => number = Date.now): () => boolean {
  const startedAt = now();
  let open = false;
  return () => (open ||= keys.loaded || now() - startedAt >= maxWaitMs);
}

/**
 * The verifier of a service other than auth: auth's keys from AUTH_JWKS_URL and the platform's
 * revocation list from Redis (its own two connections: one is held by SUBSCRIBE). Neither auth nor
 * Redis being down stops the start: the keys are retried, and requests get a 503 until they load —
 * which is why the pod is held not Ready until they have (firstKeysGate, on `lifecycle`).
 */
export async function startTokenVerifier(
  config: TokenVerifierConfig,
  logger: Logger,
  component: string,
  lifecycle: Pick<Lifecycle, 'holdReadiness'>,
  trust?: PeerTrust,
): Promise<RunningVerifier> {
  const keys = new JwksKeySource(config.AUTH_JWKS_URL, {
    refreshMs: config.AUTH_JWKS_REFRESH_SECONDS * 1000,
    minRefreshMs: config.AUTH_JWKS_MIN_REFRESH_SECONDS * 1000,
    logger,
    // An https AUTH_JWKS_URL: auth's certificate checked against the platform's bundle (KYC_TLS_DIR).
    trust,
  });
  lifecycle.holdReadiness(firstKeysGate(keys, config.AUTH_JWKS_STARTUP_WAIT_SECONDS * 1000));
  const revocations = await startRevocationList(config, logger, component);
  await keys.start();
  return {
    verifier: new TokenVerifier(keys, revocations.list),
    revocations: revocations.list,
    keys,
    async close() {
      keys.close();
      await revocations.close();
    },
  };
}

/** The platform's revocation list with its own Redis connections (no key prefix: names are explicit). */
export async function startRevocationList(
  config: Pick<TokenVerifierConfig, 'REDIS_URL' | 'REDIS_KEY_PREFIX' | 'AUTH_REVOCATION_SYNC_SECONDS'>,
  logger: Logger,
  component: string,
): Promise<{ list: RevocationList; close(): Promise<void> }> {
  const redis = createRedis(config.REDIS_URL, { connectionName: `kyc-${component}-revocations` });
  const subscriber = createRedis(config.REDIS_URL, { connectionName: `kyc-${component}-revocations-sub` });
  const list = new RevocationList({
    redis,
    subscriber,
    prefix: config.REDIS_KEY_PREFIX,
    syncMs: config.AUTH_REVOCATION_SYNC_SECONDS * 1000,
    logger,
  });
  await list.start();
  return {
    list,
    async close() {
      list.close();
      await Promise.all([closeRedis(redis), closeRedis(subscriber)]);
    },
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
export function authenticate(verifier: TokenVerifier, options: { required?: boolean } = {}): RequestHandler {
  const required = options.required ?? true;
  return async (req, _res, next) => {
    const header = req.header('authorization');
    if (header === undefined) {
      if (required) throw unauthorized();
      return next();
    }
    const token = bearerToken(header);
    if (token === undefined) throw unauthorized('the access token is missing, malformed, expired or not valid');
    req.principal = await verifier.principal(token);
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
