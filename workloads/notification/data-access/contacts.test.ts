import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { ContactKey } from './contacts.js';

describe('ContactKey', () => {
  const key = new ContactKey(randomBytes(32));

  it('seals an address that opens only under the same key and context, and holds no clear text', () => {
    const sealed = key.seal('asha@example.in', 'notification.contacts:u-1:email');
    expect(sealed.toString('latin1')).not.toContain('asha');
    expect(key.open(sealed, 'notification.contacts:u-1:email')).toBe('asha@example.in');
    expect(() => key.open(sealed, 'notification.contacts:u-2:email')).toThrow();
    expect(() => new ContactKey(randomBytes(32)).open(sealed, 'notification.contacts:u-1:email')).toThrow();
  });

  it('refuses a key that is not 32 bytes, and names a key by a stable id', () => {
    expect(() => ContactKey.fromBase64(randomBytes(16).toString('base64'))).toThrow('32 bytes');
    const raw = randomBytes(32);
    expect(ContactKey.fromBase64(raw.toString('base64')).id).toBe(new ContactKey(raw).id);
    expect(key.id).toMatch(/^[0-9a-f]{16}$/);
  });
});
