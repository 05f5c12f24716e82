// Idempotent replays keep the first response for 24 h, and kyc responses carry applicant PII (name,
// date of birth, address). This store seals each stored response body with the PII key ring before it
// reaches the underlying store, so the replay table holds no clear PII either.
import type { BeginResult, IdempotencyStore, StoredResponse } from '../../shared/index.js';
import { openText, sealText } from '../domain/protection/envelope.js';
import type { KeyRing } from '../domain/protection/key-ring.js';

export const SEALED_PREFIX = 'sealed:v1:';

export class SealedIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly inner: IdempotencyStore,
    private readonly ring: KeyRing,
  ) {}

  async begin(scope: string, key: string, fingerprint: string, ttlSeconds: number): Promise<BeginResult> {
    // A write whose answer could not be sealed is refused before it starts, not after it committed: with
    // a KMS that does not answer, `current` throws (a 503) and nothing is written (docs/security.md).
    void this.ring.current;
    const result = await this.inner.begin(scope, key, fingerprint, ttlSeconds);
    if (result.state !== 'done' || !result.response.body.startsWith(SEALED_PREFIX)) return result;
    const sealed = Buffer.from(result.response.body.slice(SEALED_PREFIX.length), 'base64');
    return { state: 'done', response: { ...result.response, body: openText(this.ring, sealed, context(scope, key)) } };
  }

  complete(scope: string, key: string, response: StoredResponse, ttlSeconds: number): Promise<void> {
    const body = `${SEALED_PREFIX}${sealText(this.ring, response.body, context(scope, key)).toString('base64')}`;
    return this.inner.complete(scope, key, { ...response, body }, ttlSeconds);
  }

  abandon(scope: string, key: string): Promise<void> {
    return this.inner.abandon(scope, key);
  }
}

const context = (scope: string, key: string): string => `idempotency:${scope}:${key}`;
