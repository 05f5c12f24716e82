import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { CorruptBackupError, decryptStream, encryptStream } from './envelope.js';

const key = randomBytes(32);
const seal = (plain: Buffer, id = 'b1', k = key): Promise<Buffer> =>
  buffer(Readable.from([plain.subarray(0, 7), plain.subarray(7)]).pipe(encryptStream(k, id)));
const open = (sealed: Buffer, id = 'b1', k = key): Promise<Buffer> =>
  buffer(Readable.from([sealed.subarray(0, 3), sealed.subarray(3, 40), sealed.subarray(40)]).pipe(decryptStream(k, id)));

describe('the backup envelope (AES-256-GCM)', () => {
  const plain = randomBytes(5000);

  it('when sealed and opened with the same key and id, then the plaintext comes back, whatever the chunking', async () => {
    const sealed = await seal(plain);
    expect(sealed.subarray(0, 8).toString()).toBe('KYCBAK01');
    expect(sealed.length).toBe(8 + 12 + plain.length + 16);
    await expect(open(sealed)).resolves.toEqual(plain);
  });

  it('when one byte of the ciphertext is flipped, then opening fails on the GCM tag', async () => {
    const sealed = await seal(plain);
    sealed[100] = (sealed[100] ?? 0) ^ 1;
    await expect(open(sealed)).rejects.toThrow(/AES-256-GCM tag mismatch/);
  });

  it('when the object is cut short, then opening fails (tag mismatch, or no tag at all)', async () => {
    const sealed = await seal(plain);
    await expect(open(sealed.subarray(0, sealed.length - 100))).rejects.toBeInstanceOf(CorruptBackupError);
    await expect(open(sealed.subarray(0, 25))).rejects.toThrow(/truncated/);
  });

  it("when opened as another backup's id or with another key, then it is refused", async () => {
    const sealed = await seal(plain);
    await expect(open(sealed, 'b2')).rejects.toThrow(/tag mismatch/);
    await expect(open(sealed, 'b1', randomBytes(32))).rejects.toThrow(/tag mismatch/);
  });

  it('when the object is not a backup, then its header says so', async () => {
    await expect(open(Buffer.from('PK\u0003\u0004 this is a zip file, not a backup'))).rejects.toThrow(/not a KYC backup/);
  });

  it('when the dump is empty, then the envelope still seals and opens', async () => {
    const sealed = await buffer(Readable.from([]).pipe(encryptStream(key, 'b1')));
    await expect(open(sealed)).resolves.toEqual(Buffer.alloc(0));
  });
});
