import { describe, expect, it } from '@jest/globals';
import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { makeParkedKey, parkedKeyOf, parkingPublicKey } from './parking.js';

const spki = (modulusLength: number): Buffer =>
  generateKeyPairSync('rsa', { modulusLength }).publicKey.export({ format: 'der', type: 'spki' });

describe('parked data keys', () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 3072 });
  const parking = parkingPublicKey('arn:parking', pair.publicKey.export({ format: 'der', type: 'spki' }));
  const kmsDecrypt = (ciphertext: Buffer): Buffer =>
    privateDecrypt({ key: pair.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, ciphertext);

  it('wraps a fresh key under the public key (RSAES_OAEP_SHA_256) that only the private key gives back, bound to its id', () => {
    const { key, parked } = makeParkedKey('pk-1', parking);
    expect(key.key).toHaveLength(32);
    expect(parked).toMatchObject({ id: 'pk-1', wrapped: { kmsKeyId: 'arn:parking' } });
    expect(parked.wrapped.ciphertext.includes(key.key)).toBe(false);
    expect(parkedKeyOf('pk-1', kmsDecrypt(parked.wrapped.ciphertext)).equals(key.key)).toBe(true);
    expect(() => parkedKeyOf('pk-2', kmsDecrypt(parked.wrapped.ciphertext))).toThrow('bound to another id');
  });

  it('refuses a parking key weaker than RSA 3072 or not RSA', () => {
    expect(() => parkingPublicKey('k', spki(2048))).toThrow('RSA key of 3072 bits or more');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' });
    expect(() => parkingPublicKey('k', ec)).toThrow('RSA key of 3072 bits or more');
  });
});
