// Where the backup's data key comes from. Today: BACKUP_ENCRYPTION_KEY, a Secret's base64 32-byte key,
// named by BACKUP_KEY_ID in each manifest. A KMS-backed source (a data key wrapped by the KMS, the wrapped
// form stored in the manifest) implements the same port (docs/backup.md, "Keys").
import { KEY_BYTES } from './envelope.js';

export interface DataKeySource {
  /** The key new backups are encrypted with, and the id the manifest records. */
  current(): Promise<{ keyId: string; key: Buffer }>;
  /** The key a backup named `keyId` was encrypted with. */
  forBackup(keyId: string): Promise<Buffer>;
}

export class SecretKeySource implements DataKeySource {
  private readonly key: Buffer;

  constructor(
    base64: string,
    private readonly keyId: string,
  ) {
    this.key = Buffer.from(base64, 'base64');
    if (this.key.length !== KEY_BYTES)
      throw new Error(`BACKUP_ENCRYPTION_KEY must be ${KEY_BYTES} bytes, base64-encoded (got ${this.key.length})`);
  }

  current(): Promise<{ keyId: string; key: Buffer }> {
    return Promise.resolve({ keyId: this.keyId, key: this.key });
  }

  forBackup(keyId: string): Promise<Buffer> {
    if (keyId !== this.keyId)
      return Promise.reject(
        new Error(`the backup was encrypted with key ${JSON.stringify(keyId)}; BACKUP_KEY_ID is ${JSON.stringify(this.keyId)}`),
      );
    return Promise.resolve(this.key);
  }
}
