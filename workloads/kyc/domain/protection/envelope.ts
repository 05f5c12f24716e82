// Envelope encryption of PII at rest, AES-256-GCM throughout:
// every record gets a fresh random 256-bit data key; the data key encrypts the record and is itself
// encrypted ("wrapped") with the ring's current master key, whose id travels with the envelope.
// Rotating the master key only needs the small wrapped key rewritten (`rewrap`), never the record.
//
// Every envelope is bound to a context string (e.g. `applicant:<id>:pan`) as GCM additional data, so a
// ciphertext copied into another row or field fails to decrypt instead of silently revealing PII there.
//
// Layout (version 1): 0x01 | keyIdLength | keyId | wrapIv(12) | wrapTag(16) | wrappedKey(32) | iv(12) | tag(16) | ciphertext
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { KeyRing, MasterKey } from './key-ring.js';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
}

export function seal(ring: KeyRing, plaintext: Buffer, context: string): Buffer {
  const dataKey = randomBytes(KEY_BYTES);
  try {
    const wrapped = wrapKey(ring.current, dataKey);
    const iv = randomBytes(IV_BYTES);
    // As a KeyObject: handing node:crypto the raw bytes costs several times the cipher's own set-up
    // (the key is converted either way; the Buffer is still zeroed below).
    const cipher = createCipheriv('aes-256-gcm', createSecretKey(dataKey), iv);
    cipher.setAAD(Buffer.from(`kyc-envelope-v1|${context}`));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const keyId = Buffer.from(ring.current.id);
    return Buffer.concat([Buffer.from([VERSION, keyId.length]), keyId, wrapped, iv, cipher.getAuthTag(), ciphertext]);
  } finally {
    dataKey.fill(0);
  }
}

export function open(ring: KeyRing, envelope: Buffer, context: string): Buffer {
  const parts = parse(envelope);
  const master = ring.byId(parts.keyId);
  if (!master) throw new EnvelopeError(`envelope key ${parts.keyId} is not in the key ring`);
  const dataKey = unwrapKey(master, parts.wrapped);
  try {
    const decipher = createDecipheriv('aes-256-gcm', createSecretKey(dataKey), parts.iv);
    decipher.setAAD(Buffer.from(`kyc-envelope-v1|${context}`));
    decipher.setAuthTag(parts.tag);
    return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]);
  } catch (cause) {
    throw new EnvelopeError('envelope does not decrypt (wrong context or tampered)', { cause });
  } finally {
    dataKey.fill(0);
  }
}

export function sealText(ring: KeyRing, text: string, context: string): Buffer {
  return seal(ring, Buffer.from(text, 'utf8'), context);
}

export function openText(ring: KeyRing, envelope: Buffer, context: string): string {
  return open(ring, envelope, context).toString('utf8');
}

/** The id of the master key that wrapped this envelope's data key (what a rotation job looks for). */
export function keyIdOf(envelope: Buffer): string {
  return parse(envelope).keyId;
}

/** Re-wraps the data key with the ring's current master key; the encrypted record is untouched. */
export function rewrap(ring: KeyRing, envelope: Buffer): Buffer {
  const parts = parse(envelope);
  if (parts.keyId === ring.current.id) return envelope;
  const master = ring.byId(parts.keyId);
  if (!master) throw new EnvelopeError(`envelope key ${parts.keyId} is not in the key ring`);
  const dataKey = unwrapKey(master, parts.wrapped);
  try {
    const keyId = Buffer.from(ring.current.id);
    return Buffer.concat([
      Buffer.from([VERSION, keyId.length]),
      keyId,
      wrapKey(ring.current, dataKey),
      parts.iv,
      parts.tag,
      parts.ciphertext,
    ]);
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Deterministic keyed digests of an identifier (a "blind index"), one per key in the ring, the current
 * key's first: equal numbers can be found (duplicate detection) without storing or decrypting them.
 * Stored rows carry the current key's digest; look-ups match any of them, so rotation keeps working.
 */
export function blindIndexes(ring: KeyRing, purpose: string, value: string): string[] {
  return ring.keys.map((master) => `${master.id}:${createHmac('sha256', indexKey(master, purpose)).update(value).digest('base64url')}`);
}

export function blindIndex(ring: KeyRing, purpose: string, value: string): string {
  return blindIndexes(ring, purpose, value)[0] as string;
}

// Key objects made once per master key (raw key bytes would be turned into a new key object on every
// call); the derived blind-index keys likewise.
const masterKeyObjects = new WeakMap<MasterKey, KeyObject>();
function masterKeyObject(master: MasterKey): KeyObject {
  let k = masterKeyObjects.get(master);
  if (!k) {
    k = createSecretKey(master.key);
    masterKeyObjects.set(master, k);
  }
  return k;
}

const indexKeys = new WeakMap<MasterKey, Map<string, KeyObject>>();
function indexKey(master: MasterKey, purpose: string): KeyObject {
  let byPurpose = indexKeys.get(master);
  if (!byPurpose) {
    byPurpose = new Map();
    indexKeys.set(master, byPurpose);
  }
  let k = byPurpose.get(purpose);
  if (!k) {
    k = createSecretKey(Buffer.from(hkdfSync('sha256', master.key, Buffer.alloc(0), `kyc-blind-index|${purpose}`, 32)));
    byPurpose.set(purpose, k);
  }
  return k;
}

function wrapKey(master: MasterKey, dataKey: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', masterKeyObject(master), iv);
  cipher.setAAD(Buffer.from(`kyc-key-wrap-v1|${master.id}`));
  const wrapped = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), wrapped]);
}

function unwrapKey(master: MasterKey, wrapped: Buffer): Buffer {
  try {
    const decipher = createDecipheriv('aes-256-gcm', masterKeyObject(master), wrapped.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(`kyc-key-wrap-v1|${master.id}`));
    decipher.setAuthTag(wrapped.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(wrapped.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch (cause) {
    throw new EnvelopeError(`data key does not unwrap with master key ${master.id}`, { cause });
  }
}

interface EnvelopeParts {
  keyId: string;
  wrapped: Buffer;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

function parse(envelope: Buffer): EnvelopeParts {
  if (envelope.length < 2 || envelope[0] !== VERSION) throw new EnvelopeError('not a version 1 envelope');
  const keyIdLength = envelope[1] ?? 0;
  const wrappedStart = 2 + keyIdLength;
  const ivStart = wrappedStart + IV_BYTES + TAG_BYTES + KEY_BYTES;
  const tagStart = ivStart + IV_BYTES;
  const ciphertextStart = tagStart + TAG_BYTES;
  if (keyIdLength === 0 || envelope.length < ciphertextStart) throw new EnvelopeError('truncated envelope');
  return {
    keyId: envelope.subarray(2, wrappedStart).toString('utf8'),
    wrapped: envelope.subarray(wrappedStart, ivStart),
    iv: envelope.subarray(ivStart, tagStart),
    tag: envelope.subarray(tagStart, ciphertextStart),
    ciphertext: envelope.subarray(ciphertextStart),
  };
}
