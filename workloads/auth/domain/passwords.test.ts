import { describe, expect, it } from '@jest/globals';
import { hashPassword, needsRehash, verifyPassword } from './passwords.js';

describe('passwords', () => {
  it('verifies the right password and rejects others', async () => {
    const hash = await hashPassword('correct horse battery', 1024);
    expect(hash).toMatch(/^scrypt\$1024\$8\$3\$/);
    expect(hash).not.toContain('correct');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$1073741824$8$1$AAAA$AAAA')).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same', 1024)).not.toBe(await hashPassword('same', 1024));
  });

  it("uses OWASP's scrypt parameters by default (N=2^15, r=8, p=3) within node's memory cap", async () => {
    const hash = await hashPassword('owasp-parameters');
    expect(hash).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect(await verifyPassword('owasp-parameters', hash)).toBe(true);
  }, 20_000);

  it('knows a hash made with older parameters needs re-hashing', async () => {
    const old = await hashPassword('pw', 16_384);
    expect(needsRehash(old, 131_072)).toBe(true);
    expect(needsRehash(old, 16_384)).toBe(false);
    expect(needsRehash('scrypt$16384$4$1$AA$AA', 16_384)).toBe(true);
    // the N=2^17, r=8, p=1 hashes of an earlier release: today's p is 3
    expect(needsRehash('scrypt$16384$8$1$AA$AA', 16_384)).toBe(true);
  });
});
