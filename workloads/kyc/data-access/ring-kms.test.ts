import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { parseKeyRing } from '../domain/protection/key-ring.js';
import { RingKms } from './ring-kms.js';

const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
const context = { service: 'kyc', 'data-key': 'dk-1' };

describe('RingKms (PII_ENCRYPTION_KEYS as the key-encryption key)', () => {
  it('when a data key is made, then it unwraps under the same context only, and the wrapped copy does not contain it', async () => {
    const kms = new RingKms(parseKeyRing(`v1:${k1}`));
    const { plaintext, wrapped } = await kms.generateDataKey(context);
    expect(plaintext).toHaveLength(32);
    expect(wrapped.kmsKeyId).toBe('v1');
    expect(wrapped.ciphertext.includes(plaintext)).toBe(false);
    expect((await kms.decryptDataKey(wrapped, { 'data-key': 'dk-1', service: 'kyc' })).equals(plaintext)).toBe(true);
    await expect(kms.decryptDataKey(wrapped, { ...context, 'data-key': 'dk-2' })).rejects.toThrow(/does not decrypt/);
  });

  it('when a new key is put first in the ring, then it is the current key and re-encryption moves a data key to it', async () => {
    const before = new RingKms(parseKeyRing(`v1:${k1}`));
    const { plaintext, wrapped } = await before.generateDataKey(context);
    const after = new RingKms(parseKeyRing(`v2:${k2},v1:${k1}`));
    expect(await after.currentKeyId()).toBe('v2');
    const moved = await after.reEncryptDataKey(wrapped);
    expect(moved.kmsKeyId).toBe('v2');
    const withoutV1 = new RingKms(parseKeyRing(`v2:${k2}`));
    expect((await withoutV1.decryptDataKey(moved, context)).equals(plaintext)).toBe(true);
  });
});
