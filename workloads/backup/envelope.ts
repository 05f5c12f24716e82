// The encrypted envelope of a backup object (docs/backup.md, "Format"): AES-256-GCM over the whole dump,
//   "KYCBAK01" (8 bytes) | IV (12 bytes) | ciphertext | GCM tag (16 bytes)
// with the backup's id as additional authenticated data, so an object renamed into another backup's place
// is refused too. GCM authenticates only at the end: the restore writes into one transaction and commits
// after `final()` has accepted the tag (restore.ts).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import type { DecipherGCM } from 'node:crypto';

const MAGIC = Buffer.from('KYCBAK01');
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

/** A backup that cannot be trusted: altered, truncated, encrypted with another key, or not a backup. */
export class CorruptBackupError extends Error {
  override name = 'CorruptBackupError';
}

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new Error(`a backup key has ${KEY_BYTES} bytes (got ${key.length})`);
}

export function encryptStream(key: Buffer, backupId: string): Transform {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(backupId));
  let started = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      if (!started) {
        started = true;
        this.push(Buffer.concat([MAGIC, iv]));
      }
      done(null, cipher.update(chunk));
    },
    flush(done: TransformCallback) {
      if (!started) this.push(Buffer.concat([MAGIC, iv]));
      this.push(cipher.final());
      done(null, cipher.getAuthTag());
    },
  });
}

/**
 * The plaintext of an envelope. The last 16 bytes seen are held back as the tag; at the end a tag that does
 * not match fails the stream with a CorruptBackupError.
 */
export function decryptStream(key: Buffer, backupId: string): Transform {
  checkKey(key);
  let header = Buffer.alloc(0);
  let decipher: DecipherGCM | undefined;
  let held = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      if (!decipher) {
        header = Buffer.concat([header, chunk]);
        if (header.length < MAGIC.length + IV_BYTES) return done();
        if (!header.subarray(0, MAGIC.length).equals(MAGIC))
          return done(new CorruptBackupError('the object is not a KYC backup (its header is not KYCBAK01)'));
        decipher = createDecipheriv('aes-256-gcm', key, header.subarray(MAGIC.length, MAGIC.length + IV_BYTES));
        decipher.setAAD(Buffer.from(backupId));
        chunk = header.subarray(MAGIC.length + IV_BYTES);
      }
      held = Buffer.concat([held, chunk]);
      if (held.length <= TAG_BYTES) return done();
      const body = held.subarray(0, held.length - TAG_BYTES);
      held = Buffer.from(held.subarray(held.length - TAG_BYTES));
      done(null, decipher.update(body));
    },
    flush(done: TransformCallback) {
      if (!decipher || held.length < TAG_BYTES) return done(new CorruptBackupError('the backup is truncated: it ends before its GCM tag'));
      try {
        decipher.setAuthTag(held);
        done(null, decipher.final());
      } catch {
        done(
          new CorruptBackupError(
            'the backup failed authentication (AES-256-GCM tag mismatch): it was altered or truncated, or the key is not the one it was made with',
          ),
        );
      }
    },
  });
}
