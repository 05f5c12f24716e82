// The key management service the PII data keys live under (docs/security.md, "Keys held by a KMS"):
// it makes data keys and unwraps them, and its key-encryption key never leaves it. The domain owns the
// port; data-access/ has the adapters (AWS KMS API, and a local one over the PII_ENCRYPTION_KEYS ring).

/** A data key as stored: encrypted ("wrapped") under the KMS key named by `kmsKeyId`. */
export interface WrappedDataKey {
  /** The KMS key that wrapped it (for AWS, the key ARN the KMS answered with). */
  readonly kmsKeyId: string;
  readonly ciphertext: Buffer;
}

/** Non-secret data bound to a wrapped key: unwrapping it under any other context fails. */
export type EncryptionContext = Readonly<Record<string, string>>;

export interface KeyManagementService {
  /** A fresh 256-bit data key, in clear (for this process only) and wrapped under the current KMS key. */
  generateDataKey(context: EncryptionContext): Promise<{ plaintext: Buffer; wrapped: WrappedDataKey }>;
  /** The clear data key; the KMS decides, so a disabled or deleted KMS key refuses. */
  decryptDataKey(wrapped: WrappedDataKey, context: EncryptionContext): Promise<Buffer>;
  /** The same data key wrapped under the current KMS key (version): the clear key never leaves the KMS. */
  reEncryptDataKey(wrapped: WrappedDataKey, context: EncryptionContext): Promise<WrappedDataKey>;
  /** The id of the KMS key new data keys are wrapped under, in the form `WrappedDataKey.kmsKeyId` has. */
  currentKeyId(): Promise<string>;
}

/**
 * The KMS cannot be asked now (unreachable, throttling, the key disabled) and nothing cached can stand
 * in: answered 503 with Retry-After (workloads/shared/dependency-errors.ts knows it by its name).
 */
export class KmsUnavailableError extends Error {
  override readonly name = 'KmsUnavailableError';
}

/** A data key as the store keeps it; one is active (new records are sealed under it). */
export interface StoredDataKey {
  readonly id: string;
  readonly wrapped: WrappedDataKey;
  readonly active: boolean;
  readonly rewrappedAt: Date;
}

/** Where the wrapped data keys are kept (data-access/pg-data-keys.ts: a table of the service's schema). */
export interface DataKeyStore {
  list(): Promise<StoredDataKey[]>;
  /** Stores `key` as the active data key unless one is active already (another replica was first). */
  insertActive(key: { id: string; wrapped: WrappedDataKey }): Promise<void>;
  /** Replaces the wrapped copy if it still is `from` (two replicas re-wrapping at once both succeed). */
  replaceWrapped(id: string, from: WrappedDataKey, to: WrappedDataKey): Promise<boolean>;
}
