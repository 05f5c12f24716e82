// Where a verifier gets auth's public keys. Services other than auth load the JWKS from AUTH_JWKS_URL:
// once at start, again every AUTH_JWKS_REFRESH_SECONDS, and when a token names a kid they do not know
// (a key auth started signing with since the last load). That last refresh is rate-limited to one per
// AUTH_JWKS_MIN_REFRESH_SECONDS per process, so tokens with made-up kids cannot make every replica
// hammer auth. When auth cannot be reached the last good key set stays in use: verification never
// depends on auth being up, only on having loaded its keys once. Over https (KYC_TLS_DIR) auth's
// certificate is verified against the platform's bundle and the URL's host (peer-request.ts).
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Logger } from './logger.js';
import { getFromPeer } from './peer-request.js';
import type { PeerTrust } from './tls.js';
import type { SigningKey } from './token-keys.js';
import { TOKEN_ALGORITHM } from './token-keys.js';

/** The public keys a verifier trusts, by kid. */
export interface KeySource {
  key(kid: string): KeyObject | undefined;
  /** False until a key set has been loaded once (requests then get a 503, not a 401). */
  readonly loaded: boolean;
  /** Called for a token with an unknown kid; true when a fresh key set was loaded (check again). */
  refreshForUnknownKid(): Promise<boolean>;
  close(): void;
}

/** Auth's own view: the public halves of its signing ring (auth needs no HTTP round trip to itself). */
export class StaticKeySource implements KeySource {
  private readonly keys: Map<string, KeyObject>;
  readonly loaded = true;

  constructor(ring: readonly Pick<SigningKey, 'kid' | 'publicKey'>[]) {
    this.keys = new Map(ring.map((k) => [k.kid, k.publicKey]));
  }

  key(kid: string): KeyObject | undefined {
    return this.keys.get(kid);
  }

  refreshForUnknownKid(): Promise<boolean> {
    return Promise.resolve(false);
  }

  close(): void {}
}

const KID = /^[A-Za-z0-9._-]{1,64}$/;
const X = /^[A-Za-z0-9_-]{43}$/;
const MAX_KEYS = 32;
const MAX_BYTES = 64 * 1024;

/**
 * The Ed25519 signing keys of a JWKS document. Anything else (RSA, EC, symmetric `oct` keys, keys for
 * another algorithm or use) is ignored: a verifier must never learn an HMAC secret or an RSA key from
 * the document and then accept HS256/RS256 tokens.
 */
export function parseJwks(document: unknown): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  const list = typeof document === 'object' && document !== null ? (document as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(list)) throw new Error('the JWKS has no "keys" array');
  for (const entry of list.slice(0, MAX_KEYS)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const jwk = entry as Record<string, unknown>;
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string' || !X.test(jwk.x)) continue;
    if (typeof jwk.kid !== 'string' || !KID.test(jwk.kid)) continue;
    if (jwk.alg !== undefined && jwk.alg !== TOKEN_ALGORITHM) continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    try {
      keys.set(jwk.kid, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' }));
    } catch {
      continue;
    }
  }
  return keys;
}

export interface JwksOptions {
  refreshMs: number;
  minRefreshMs: number;
  timeoutMs?: number;
  logger: Logger;
  /** The platform's bundle for an https AUTH_JWKS_URL (KYC_TLS_DIR). */
  trust?: PeerTrust | undefined;
}

export class JwksKeySource implements KeySource {
  private keys = new Map<string, KeyObject>();
  private lastAttempt = 0;
  private inFlight: Promise<boolean> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** When the last failure was logged at warn (repeats within a minute go to debug: auth may be down for a while). */
  private lastWarned = 0;
  loaded = false;

  constructor(
    private readonly url: string,
    private readonly options: JwksOptions,
  ) {}

  key(kid: string): KeyObject | undefined {
    return this.keys.get(kid);
  }

  /** Loads the keys once (a failure is logged, not thrown: the periodic refresh keeps trying). */
  async start(): Promise<void> {
    await this.refresh();
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    // Until the first load succeeds, retry at the unknown-kid pace; afterwards at the periodic one.
    const delay = this.loaded ? this.options.refreshMs : this.options.minRefreshMs;
    this.timer = setTimeout(() => void this.refresh().finally(() => this.schedule()), delay);
    this.timer.unref();
  }

  refreshForUnknownKid(): Promise<boolean> {
    if (this.inFlight) return this.inFlight;
    if (Date.now() - this.lastAttempt < this.options.minRefreshMs) return Promise.resolve(false);
    return this.refresh();
  }

  /** One load at a time; concurrent callers share it. */
  refresh(): Promise<boolean> {
    if (this.inFlight) return this.inFlight;
    this.lastAttempt = Date.now();
    this.inFlight = this.load()
      .then(() => {
        this.lastWarned = 0;
        return true;
      })
      .catch((error: unknown) => {
        const now = Date.now();
        const level = now - this.lastWarned >= 60_000 ? 'warn' : 'debug';
        if (level === 'warn') this.lastWarned = now;
        this.options.logger[level](
          { err: error, jwks: this.url, keys: this.keys.size },
          'could not load the token keys from auth; keeping the last good set',
        );
        return false;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  private async load(): Promise<void> {
    const response = await getFromPeer(this.url, {
      trust: this.options.trust,
      timeoutMs: this.options.timeoutMs ?? 2000,
      maxBytes: MAX_BYTES,
      headers: { accept: 'application/json' },
    });
    if (response.status < 200 || response.status > 299) throw new Error(`the JWKS answered ${response.status}`);
    const keys = parseJwks(JSON.parse(response.text));
    // An empty set is a broken answer, not a revocation of every key: keep the last good set.
    if (keys.size === 0) throw new Error('the JWKS holds no Ed25519 signing key');
    const added = [...keys.keys()].filter((kid) => !this.keys.has(kid));
    const removed = [...this.keys.keys()].filter((kid) => !keys.has(kid));
    this.keys = keys;
    this.loaded = true;
    if (added.length > 0 || removed.length > 0) this.options.logger.info({ added, removed }, 'token keys loaded');
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
