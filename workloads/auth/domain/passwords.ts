// Password hashes with scrypt (node:crypto): `scrypt$N$r$p$salt$hash`, salts of 16 bytes, 64-byte keys,
// constant-time comparison. The parameters travel with the hash, so a hash made with weaker ones is
// recognised at login and made again with today's (re-hashing needs the password, which only a login
// has).
//
// Today's parameters are one of the settings OWASP's Password Storage Cheat Sheet lists as equal in
// strength to its N=2^17, r=8, p=1: N=2^15, r=8, p=3. It holds 128·N·r = 32 MiB (not 128 MiB) outside
// the JS heap for ~200-350 ms of CPU on this project's machines, so two derivations fit beside the heap
// of a development pod (256 MiB) and both cores work: N=2^17, p=1 on one slot made a burst of seven
// sign-ups queue past the gateway's 3 s upstream timeout. Derivations run at most `concurrency` at a
// time and at most `maxQueue` wait — beyond that the login is a 503 with Retry-After, not an
// out-of-memory kill or a gateway timeout.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';
import { unavailable } from './errors.js';

const KEY_LENGTH = 64;
export const OWASP_SCRYPT_COST = 2 ** 15;
const BLOCK_SIZE = 8;
const PARALLELISM = 3;

export interface ScryptParameters {
  N: number;
  r: number;
  p: number;
}

/** The memory one derivation needs, plus room: node refuses to run scrypt above `maxmem`. */
const maxmem = (params: ScryptParameters): number => 128 * params.N * params.r + 16 * 1024 * 1024;

function derive(password: string, salt: Buffer, params: ScryptParameters): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: maxmem(params) };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function parse(stored: string): { params: ScryptParameters; salt: Buffer; hash: Buffer } | undefined {
  const [scheme, n, r, p, salt, hash, extra] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || salt === undefined || hash === undefined || extra !== undefined) return undefined;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  // Bounds, so a corrupted row cannot ask for gigabytes.
  if (
    ![params.N, params.r, params.p].every(Number.isInteger) ||
    params.N < 2 ||
    params.N > 2 ** 20 ||
    params.r < 1 ||
    params.r > 32 ||
    params.p < 1 ||
    params.p > 16
  )
    return undefined;
  return { params, salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') };
}

export async function hashPassword(password: string, cost = OWASP_SCRYPT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N: cost, r: BLOCK_SIZE, p: PARALLELISM });
  return ['scrypt', cost, BLOCK_SIZE, PARALLELISM, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.params);
  return key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
}

/** True when `stored` was made with other parameters than today's (`cost`, r=8, p=3). */
export function needsRehash(stored: string, cost: number): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.params.N !== cost || parsed.params.r !== BLOCK_SIZE || parsed.params.p !== PARALLELISM;
}

/** Hashing and verification with a bound on concurrent derivations and on the queue behind them. */
export class PasswordHasher {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly cost: number,
    private readonly concurrency: number,
    private readonly maxQueue: number,
  ) {}

  hash(password: string): Promise<string> {
    return this.limited(() => hashPassword(password, this.cost));
  }

  verify(password: string, stored: string): Promise<boolean> {
    return this.limited(() => verifyPassword(password, stored));
  }

  needsRehash(stored: string): boolean {
    return needsRehash(stored, this.cost);
  }

  private async limited<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxQueue)
        throw unavailable(2, 'too many sign-ins are being checked right now; try again in a moment');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next waiter (running stays the same), or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
