// The recipients' addresses (e-mail, phone) in PostgreSQL, encrypted at rest like the other PII
// (docs/security.md): AES-256-GCM under NOTIFICATION_CONTACT_KEY, the row's user and channel as
// additional data, so a sealed address copied to another row does not open. Only the ciphertext and the
// key's id are stored; an address never reaches a log or an error message.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Pool } from '../../shared/index.js';
import type { ContactDirectory } from '../domain/ports.js';
import type { Channel } from '../domain/providers.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A 32-byte key and its id (the first 16 hex digits of its SHA-256), for a later rotation to tell keys apart. */
export class ContactKey {
  readonly id: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the contact key must be 32 bytes (base64 of 32 random bytes)');
    this.id = createHash('sha256').update(key).digest('hex').slice(0, 16);
  }

  static fromBase64(value: string): ContactKey {
    return new ContactKey(Buffer.from(value, 'base64'));
  }

  seal(plain: string, context: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]);
  }

  open(sealed: Buffer, context: string): string {
    const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}

const context = (userId: string, channel: Channel) => `notification.contacts:${userId}:${channel}`;

export class ContactRepository implements ContactDirectory {
  constructor(
    private readonly pool: Pool,
    private readonly key: ContactKey,
  ) {}

  async save(userId: string, channel: Channel, address: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO notification.contacts (user_id, channel, key_id, sealed) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id, channel) DO UPDATE SET key_id = EXCLUDED.key_id, sealed = EXCLUDED.sealed, updated_at = now()`,
      [userId, channel, this.key.id, this.key.seal(address, context(userId, channel))],
    );
  }

  async remove(userId: string, channel: Channel): Promise<void> {
    await this.pool.query(`DELETE FROM notification.contacts WHERE user_id = $1 AND channel = $2`, [userId, channel]);
  }

  async addressOf(userId: string, channel: Channel): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ key_id: string; sealed: Buffer }>(
      `SELECT key_id, sealed FROM notification.contacts WHERE user_id = $1 AND channel = $2`,
      [userId, channel],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.key_id !== this.key.id)
      throw new Error(`the ${channel} contact is sealed under key ${row.key_id}, not the configured ${this.key.id}`);
    return this.key.open(row.sealed, context(userId, channel));
  }
}
