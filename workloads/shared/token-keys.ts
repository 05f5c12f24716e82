// The access-token keys. Only auth holds private keys (AUTH_SIGNING_KEYS, a key ring
// `kid:base64(PKCS#8 DER Ed25519 private key)[,kid:...]`; the first key signs, every key's public half
// is published as a JWKS). Every other service knows only public keys, fetched from auth's JWKS, so a
// compromised service can verify tokens but never mint one.
//
// EdDSA (Ed25519) rather than ES256: deterministic signatures (no per-signature nonce whose reuse or
// bias leaks the key), small keys, and node:crypto signs and verifies it synchronously in one call.
import { createPrivateKey, createPublicKey, randomUUID, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Principal } from './context.js';

export const TOKEN_ISSUER = 'kyc-auth';
export const TOKEN_AUDIENCE = 'kyc-api';
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
/** The only signature algorithm a verifier accepts (RFC 8037 name for Ed25519 in JOSE). */
export const TOKEN_ALGORITHM = 'EdDSA';

const KID = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_KEYS = 16;

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** An Ed25519 public key as a JWK (RFC 8037), the only shape auth publishes. */
export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: typeof TOKEN_ALGORITHM;
  use: 'sig';
}

/**
 * Parses AUTH_SIGNING_KEYS. Errors name the entry by position and kid only: the value is a private key
 * and never goes into a message or a log.
 */
export function parseSigningKeys(raw: string): SigningKey[] {
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error('needs at least one key: kid:base64(PKCS#8 DER Ed25519 private key)');
  if (entries.length > MAX_KEYS) throw new Error(`holds ${entries.length} keys; at most ${MAX_KEYS}`);
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    const kid = colon > 0 ? entry.slice(0, colon) : '';
    if (!KID.test(kid)) throw new Error(`entry ${index + 1}: expected kid:base64 with a kid of 1-64 letters, digits, '.', '_' or '-'`);
    if (seen.has(kid)) throw new Error(`entry ${index + 1}: kid "${kid}" appears twice`);
    seen.add(kid);
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey({ key: Buffer.from(entry.slice(colon + 1), 'base64'), format: 'der', type: 'pkcs8' });
    } catch {
      throw new Error(
        `entry ${index + 1} (kid "${kid}"): not a base64 PKCS#8 DER private key (openssl genpkey -algorithm ed25519 -outform DER | base64 -w0)`,
      );
    }
    if (privateKey.asymmetricKeyType !== 'ed25519')
      throw new Error(
        `entry ${index + 1} (kid "${kid}"): an ${privateKey.asymmetricKeyType ?? 'unknown'} key; only Ed25519 keys sign tokens`,
      );
    return { kid, privateKey, publicKey: createPublicKey(privateKey) };
  });
}

export function publicJwk(key: { kid: string; publicKey: KeyObject }): PublicJwk {
  const jwk = key.publicKey.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error(`key ${key.kid} has no public component`);
  // Built field by field so nothing but the public point can ever leave (no `d`).
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid: key.kid, alg: TOKEN_ALGORITHM, use: 'sig' };
}

export function publicJwks(ring: readonly SigningKey[]): { keys: PublicJwk[] } {
  return { keys: ring.map(publicJwk) };
}

export interface SignOptions {
  ttlSeconds?: number;
  /** The login (refresh family) the token belongs to, so a logout can revoke all of its tokens. */
  sid?: string;
  nowMs?: number;
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A signed access token: `sub`, `role`, a unique `jti`, the login's `sid`, and `iat` with millisecond
 * precision (RFC 7519 allows a non-integer NumericDate) so a per-user "not before" cut-off set by a role
 * change separates the tokens issued just before it from those issued just after it in the same second.
 */
export function signAccessToken(principal: Principal, key: SigningKey, options: SignOptions = {}): string {
  const nowMs = options.nowMs ?? Date.now();
  const header = encode({ alg: TOKEN_ALGORITHM, typ: 'JWT', kid: key.kid });
  const payload = encode({
    iss: TOKEN_ISSUER,
    aud: TOKEN_AUDIENCE,
    sub: principal.sub,
    role: principal.role,
    ...(principal.email !== undefined && { email: principal.email }),
    jti: randomUUID(),
    ...(options.sid !== undefined && { sid: options.sid }),
    iat: nowMs / 1000,
    exp: Math.floor(nowMs / 1000) + (options.ttlSeconds ?? ACCESS_TOKEN_TTL_SECONDS),
  });
  const signature = sign(null, Buffer.from(`${header}.${payload}`), key.privateKey).toString('base64url');
  return `${header}.${payload}.${signature}`;
}
