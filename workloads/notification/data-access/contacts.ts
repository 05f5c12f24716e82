// The recipients' addresses (e-mail, phone) in PostgreSQL, encrypted at rest like the other PII
// (docs/security.md): AES-256-GCM under NOTIFICATION_CONTACT_KEYS, the row's user and channel as
// additional data, so a sealed address copied to another row does not open. Only the ciphertext and the
// key's id are stored; an address never reaches a log or an error message.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Pool } from '../../shared/index.js';
import type { ContactDirectory } from '../domain/ports.js';
import type { Channel } from '../domain/providers.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * NOTIFICATION_CONTACT_KEYS: `keyId:base64-32-byte-key[,...]`, the format of the PII key ring
 * (docs/security.md); the first key seals, every key opens, so a new key goes first and the old one
 * stays until no row names it.
 */
export class ContactKeyRing {
  private readonly keys: Map<string, Buffer>;
  readonly currentId: string;

  constructor(ring: string) {
    const entries = ring.split(',').map((entry) => {
      const [id, material, ...rest] = entry.trim().split(':');
      const key = Buffer.from(material ?? '', 'base64');
      if (!id || rest.length > 0 || key.length !== 32) throw new Error('must be keyId:base64-of-32-bytes[,keyId:...]');
      return [id, key] as const;
    });
    this.keys = new Map(entries);
    if (this.keys.size !== entries.length) throw new Error('names a key id twice');
    this.currentId = entries[0]?.[0] as string;
  }

  seal(plain: string, context: string): { keyId: string; sealed: Buffer } {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentId) as Buffer, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return { keyId: this.currentId, sealed: Buffer.concat([iv, body, cipher.getAuthTag()]) };
  }

  open(keyId: string, sealed: Buffer, context: string): string {
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`the contact is sealed under key ${keyId}, which NOTIFICATION_CONTACT_KEYS no longer holds`);
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}

const context = (userId: string, channel: Channel) => `notification.contacts:${userId}:${channel}`;

export class ContactRepository implements ContactDirectory {
  constructor(
    private readonly pool: Pool,
    private readonly keys: ContactKeyRing,
  ) {}

  async save(userId: string, channel: Channel, address: string): Promise<void> {
    const { keyId, sealed } = this.keys.seal(address, context(userId, channel));
    await this.pool.query(
      `INSERT INTO notification.contacts (user_id, channel, key_id, sealed) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id, channel) DO UPDATE SET key_id = EXCLUDED.key_id, sealed = EXCLUDED.sealed, updated_at = now()`,
      [userId, channel, keyId, sealed],
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
    return row && this.keys.open(row.key_id, row.sealed, context(userId, channel));
  }
}
