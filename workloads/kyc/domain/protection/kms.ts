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

/**
 * The asymmetric parking key (docs/security.md, "Writes while the KMS is away"): an RSA key of the KMS
 * whose public half the pods keep, so that a write while the KMS does not answer can still be sealed
 * under a data key nobody in the pods can unwrap afterwards. Only the KMS (Decrypt) gives it back.
 */
export interface ParkingKeyService {
  /** The parking key's public half (DER SubjectPublicKeyInfo) and its KMS key id; asked while the KMS answers. */
  parkingPublicKey(): Promise<{ kmsKeyId: string; spki: Buffer }>;
  /** The clear content of a parked wrapping (RSAES_OAEP_SHA_256), unwrapped by the KMS. */
  unwrapParked(wrapped: WrappedDataKey): Promise<Buffer>;
}

/** A data key made in a pod while the KMS was away, stored only wrapped under the parking key. */
export interface ParkedDataKey {
  readonly id: string;
  readonly wrapped: WrappedDataKey;
}

/** Where parked data keys are kept until every record sealed under them has moved to a KMS data key. */
export interface ParkedKeyStore {
  listParked(): Promise<ParkedDataKey[]>;
  insertParked(key: ParkedDataKey): Promise<void>;
  /** The pod that made it seals nothing more under it (its KMS answers again). */
  retire(id: string): Promise<void>;
  /** Forgets the retired parked keys no record names any more; returns their ids. */
  deleteUnused(): Promise<string[]>;
}
