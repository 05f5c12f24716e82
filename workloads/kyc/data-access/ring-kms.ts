// The local KMS adapter: the PII_ENCRYPTION_KEYS ring acts as the key-encryption key, so a platform without
// a KMS keeps today's keys (docs/security.md, "Keys held by a KMS"). A data key is wrapped as an envelope
// (domain/protection/envelope.ts) under the ring's current key, bound to the encryption context; the ring's
// key id is the wrapping key's id, so putting a new key first in the ring is a new key version.
import { randomBytes } from 'node:crypto';
import { keyIdOf, open, rewrap, seal } from '../domain/protection/envelope.js';
import type { KeyRing } from '../domain/protection/key-ring.js';
import type { EncryptionContext, KeyManagementService, WrappedDataKey } from '../domain/protection/kms.js';

export class RingKms implements KeyManagementService {
  constructor(private readonly ring: KeyRing) {}

  // Promises like the real KMS's: a refusal is a rejection, never a synchronous throw.
  generateDataKey(context: EncryptionContext): Promise<{ plaintext: Buffer; wrapped: WrappedDataKey }> {
    return settled(() => {
      const plaintext = randomBytes(32);
      const ciphertext = seal(this.ring, plaintext, contextString(context));
      return { plaintext, wrapped: { kmsKeyId: keyIdOf(ciphertext), ciphertext } };
    });
  }

  decryptDataKey(wrapped: WrappedDataKey, context: EncryptionContext): Promise<Buffer> {
    return settled(() => open(this.ring, wrapped.ciphertext, contextString(context)));
  }

  reEncryptDataKey(wrapped: WrappedDataKey): Promise<WrappedDataKey> {
    return settled(() => {
      const ciphertext = rewrap(this.ring, wrapped.ciphertext);
      return { kmsKeyId: keyIdOf(ciphertext), ciphertext };
    });
  }

  currentKeyId(): Promise<string> {
    return settled(() => this.ring.current.id);
  }
}

const settled = <T>(work: () => T): Promise<T> => new Promise((resolve) => resolve(work()));

/** The context as additional data: sorted, so that the same context always gives the same string. */
const contextString = (context: EncryptionContext): string =>
  `kms-data-key|${Object.keys(context)
    .sort()
    .map((k) => `${k}=${context[k]}`)
    .join('|')}`;
