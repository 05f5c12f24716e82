import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { ContactKeyRing } from './contacts.js';

const key = () => randomBytes(32).toString('base64');

describe('ContactKeyRing', () => {
  const old = `k1:${key()}`;
  const ring = new ContactKeyRing(old);

  it('seals an address that opens only under the same key and context, and holds no clear text', () => {
    const { keyId, sealed } = ring.seal('asha@example.in', 'notification.contacts:u-1:email');
    expect(keyId).toBe('k1');
    expect(sealed.toString('latin1')).not.toContain('asha');
    expect(ring.open('k1', sealed, 'notification.contacts:u-1:email')).toBe('asha@example.in');
    expect(() => ring.open('k1', sealed, 'notification.contacts:u-2:email')).toThrow();
    expect(() => new ContactKeyRing(`k1:${key()}`).open('k1', sealed, 'notification.contacts:u-1:email')).toThrow();
  });

  it('when a new key goes first, then it seals and the old one still opens', () => {
    const { sealed } = ring.seal('+919812345678', 'c');
    const rotated = new ContactKeyRing(`k2:${key()},${old}`);
    expect(rotated.seal('x', 'c').keyId).toBe('k2');
    expect(rotated.open('k1', sealed, 'c')).toBe('+919812345678');
    expect(() => new ContactKeyRing(`k2:${key()}`).open('k1', sealed, 'c')).toThrow('no longer holds');
  });

  it('refuses a malformed ring', () => {
    expect(() => new ContactKeyRing(`k1:${randomBytes(16).toString('base64')}`)).toThrow('keyId:base64-of-32-bytes');
    expect(() => new ContactKeyRing(key())).toThrow();
    expect(() => new ContactKeyRing(`k1:${key()},k1:${key()}`)).toThrow('twice');
  });
});
