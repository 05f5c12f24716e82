// The idempotency store of the auth service, which holds two kinds of secrets in requests and answers.
//
// 1. Answers with live tokens (login, refresh). An idempotency table keeps answers for 24 h to replay
//    them: a database dump, a backup or a read-only SQL account would then hand out working sessions.
//    So for these endpoints only the request fingerprint is kept, with a marker instead of the answer:
//    - the same key with a different body is still refused (422), and a retry while the first request
//      runs still gets 409, as for every other POST;
//    - the same key with the same body runs the request again instead of replaying it. For a login that
//      is a fresh login; for a refresh it presents an already-used refresh token, which is reuse: the
//      family is revoked and the answer is 401 — a captured refresh request replayed later gets nothing.
//    Sealing the stored answer instead would still let a replay hand the pair out again (whoever
//    captured the request needs no key), which is exactly the hole this closes.
// 2. Passwords in request bodies (register, login, staff accounts). The shared middleware fingerprints a
//    body with plain SHA-256, and a fast unsalted hash of a body holding an email and a password is an
//    offline guessing target. Here every fingerprint is an HMAC under a key derived from auth's signing
//    key, so the table holds nothing guessable without that key.
import { createHmac } from 'node:crypto';
import type { BeginResult, IdempotencyStore, StoredResponse } from '../../shared/index.js';

/** What a completed token request leaves in the table: its status, never its body. */
export const WITHHELD = 'application/vnd.kyc.withheld';

export class AuthIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly inner: IdempotencyStore,
    private readonly fingerprintKey: Buffer,
    private readonly options: { withholdAnswers: boolean },
  ) {}

  private keyed(fingerprint: string): string {
    return createHmac('sha256', this.fingerprintKey).update(fingerprint).digest('base64url');
  }

  async begin(scope: string, key: string, fingerprint: string, ttlSeconds: number): Promise<BeginResult> {
    const begun = await this.inner.begin(scope, key, this.keyed(fingerprint), ttlSeconds);
    // A completed token request is run again (see above); `complete` then overwrites the marker.
    if (begun.state === 'done' && begun.response.contentType === WITHHELD) return { state: 'new' };
    return begun;
  }

  complete(scope: string, key: string, response: StoredResponse, ttlSeconds: number): Promise<void> {
    const stored = this.options.withholdAnswers ? { status: response.status, contentType: WITHHELD, body: '' } : response;
    return this.inner.complete(scope, key, stored, ttlSeconds);
  }

  abandon(scope: string, key: string): Promise<void> {
    return this.inner.abandon(scope, key);
  }
}
