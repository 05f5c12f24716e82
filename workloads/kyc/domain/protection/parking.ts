// Parked data keys (docs/security.md, "Writes while the KMS is away"). While the KMS does not answer, a
// pod makes one fresh data key, wraps it at once under the public half of the KMS's RSA parking key
// (RSAES_OAEP_SHA_256) and stores only that wrapping: nothing in the pods can unwrap it again, only the
// KMS can (Decrypt), once it answers. The asymmetric KMS API takes no encryption context, so the binding
// travels inside the wrapping: the data key followed by `kyc-parked|<id>`, checked on the way out (a
// wrapping copied onto another id does not unwrap).
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { MasterKey } from './key-ring.js';
import type { ParkedDataKey } from './kms.js';

/** Envelopes (and rows' key_id) sealed under a parked data key name it by this prefix. */
export const PARKED_KEY_PREFIX = 'pk-';

const KEY_BYTES = 32;

export interface ParkingPublicKey {
  readonly kmsKeyId: string;
  readonly key: KeyObject;
}

export function parkingPublicKey(kmsKeyId: string, spki: Buffer): ParkingPublicKey {
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  // RSA_3072 or RSA_4096: the strength of the KMS's own symmetric keys is what the records had before.
  if (key.asymmetricKeyType !== 'rsa' || bits < 3072) throw new Error(`parking key ${kmsKeyId} is not an RSA key of 3072 bits or more`);
  return { kmsKeyId, key };
}

export const isParkedKeyId = (id: string): boolean => id.startsWith(PARKED_KEY_PREFIX);

/** A fresh parked data key: the clear key (for this pod's writes only) and its wrapping under the parking key. */
export function makeParkedKey(id: string, parking: ParkingPublicKey): { key: MasterKey; parked: ParkedDataKey } {
  const key = randomBytes(KEY_BYTES);
  const ciphertext = publicEncrypt(
    { key: parking.key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    Buffer.concat([key, binding(id)]),
  );
  return { key: { id, key }, parked: { id, wrapped: { kmsKeyId: parking.kmsKeyId, ciphertext } } };
}

/** The data key out of what the KMS unwrapped, if it was parked under `id`; zeroes what it does not return. */
export function parkedKeyOf(id: string, unwrapped: Buffer): Buffer {
  const expected = binding(id);
  const ok = unwrapped.length === KEY_BYTES + expected.length && unwrapped.subarray(KEY_BYTES).equals(expected);
  const key = ok ? Buffer.from(unwrapped.subarray(0, KEY_BYTES)) : undefined;
  unwrapped.fill(0);
  if (!key) throw new Error(`parked data key ${id} is bound to another id`);
  return key;
}

const binding = (id: string): Buffer => Buffer.from(`kyc-parked|${id}`);
