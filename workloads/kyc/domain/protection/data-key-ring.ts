// The PII key ring when a KMS holds the keys (docs/security.md, "Keys held by a KMS"): the ring's keys
// are data keys made by the KMS, stored wrapped in PostgreSQL and unwrapped by the KMS into memory only.
// Envelopes (envelope.ts) are sealed with them exactly as with the keys of PII_ENCRYPTION_KEYS, so every
// caller keeps the synchronous KeyRing it has; this class decides when a key may be used:
//
//   unwrapped key ──(refreshMs: the KMS unwraps it again)──► lifetime extended to now + cacheTtlMs
//        │                                                   and new writes allowed
//        └──(a refresh fails)──► new writes refused at once (503); reads go on from memory until the
//                                 lifetime ends, then refused too; the next refresh that works restores both
//
// Writes stop first because a record sealed now must stay readable: the KMS refusing (a key disabled, the
// KMS unreachable) must not go on producing records under a key nobody can vouch for. Nothing falls back
// to plaintext: a refused write fails before anything is stored (the store seals before it writes).
import { randomUUID } from 'node:crypto';
import type { KeyRing, MasterKey } from './key-ring.js';
import { type DataKeyStore, type EncryptionContext, type KeyManagementService, KmsUnavailableError, type StoredDataKey } from './kms.js';

export interface DataKeyRingOptions {
  kms: KeyManagementService;
  store: DataKeyStore;
  /** Keys records were sealed with before the KMS (PII_ENCRYPTION_KEYS): they still open; the rotation pass moves them. */
  legacy?: KeyRing;
  /** How long an unwrapped data key may be used after the KMS last unwrapped it. */
  cacheTtlMs: number;
  /** How often the KMS is asked again; a failed ask is retried after `min(refreshMs, 1 s)`. */
  refreshMs: number;
  /** Bound to every data key's wrapping (KMS encryption context), with the key's id. */
  context: EncryptionContext;
  now?: () => number;
  /** Called when the KMS stops answering (once per outage, not per retry). */
  onRefreshFailure?: (error: unknown) => void;
}

interface CachedKey {
  readonly key: MasterKey;
  expiresAt: number;
}

export class DataKeyRing implements KeyRing {
  private readonly cached = new Map<string, CachedKey>();
  private readonly known = new Set<string>();
  private activeId: string | undefined;
  private kmsAnswering = false;
  private lastFailure: unknown;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: DataKeyRingOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Makes the first data key if there is none, unwraps them all and starts refreshing; fails if the KMS does. */
  async start(): Promise<void> {
    if ((await this.options.store.list()).every((k) => !k.active)) {
      const id = `dk-${randomUUID()}`;
      const made = await this.ask(() => this.options.kms.generateDataKey(this.contextOf(id)));
      made.plaintext.fill(0);
      await this.options.store.insertActive({ id, wrapped: made.wrapped });
    }
    await this.refresh();
    if (!this.kmsAnswering)
      throw new KmsUnavailableError('the KMS did not unwrap the PII data keys at start-up', { cause: this.lastFailure });
    this.schedule(this.options.refreshMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Whether new records can be sealed now (the KMS answered the latest refresh). */
  get writable(): boolean {
    return this.kmsAnswering && this.live(this.activeId) !== undefined;
  }

  get current(): MasterKey {
    const active = this.kmsAnswering ? this.live(this.activeId) : undefined;
    if (!active) throw new KmsUnavailableError('the KMS is not answering: new PII cannot be sealed now');
    return active;
  }

  get keys(): readonly MasterKey[] {
    const active = this.live(this.activeId);
    // Blind indexes are computed over every key; without the active one the set would silently be wrong.
    if (!active) throw new KmsUnavailableError('the PII data key is not unwrapped (the KMS is not answering)');
    const others = [...this.cached.values()].map((c) => c.key).filter((k) => k !== active && this.live(k.id));
    return [active, ...others, ...(this.options.legacy?.keys ?? [])];
  }

  byId(id: string): MasterKey | undefined {
    const key = this.live(id);
    if (key) return key;
    if (this.known.has(id)) throw new KmsUnavailableError(`PII data key ${id} is not unwrapped (the KMS is not answering)`);
    return this.options.legacy?.byId(id);
  }

  /** Asks the KMS to unwrap every stored data key again; on failure, refuses writes until one works. */
  async refresh(): Promise<void> {
    try {
      const stored = await this.options.store.list();
      const unwrapped = await Promise.all(
        stored.map(async (k) => ({
          stored: k,
          key: await this.ask(() => this.options.kms.decryptDataKey(k.wrapped, this.contextOf(k.id))),
        })),
      );
      const expiresAt = this.now() + this.options.cacheTtlMs;
      for (const { stored: s, key } of unwrapped) this.remember(s, key, expiresAt);
      this.activeId = stored.find((k) => k.active)?.id;
      this.kmsAnswering = this.activeId !== undefined;
    } catch (error) {
      const wasAnswering = this.kmsAnswering;
      this.kmsAnswering = false;
      this.lastFailure = error;
      if (wasAnswering) this.options.onRefreshFailure?.(error);
    }
  }

  /**
   * Re-wraps, inside the KMS, every data key not wrapped under the KMS's current key (a new key behind
   * the alias, a new key of the local ring) or wrapped before `olderThan` (new key material under the same
   * key id). Data keys and records stay as they are, so nothing waits and nothing is re-encrypted.
   */
  async rewrap(olderThan?: Date): Promise<number> {
    const currentKeyId = await this.ask(() => this.options.kms.currentKeyId());
    let moved = 0;
    for (const k of await this.options.store.list()) {
      if (k.wrapped.kmsKeyId === currentKeyId && (!olderThan || k.rewrappedAt >= olderThan)) continue;
      const to = await this.ask(() => this.options.kms.reEncryptDataKey(k.wrapped, this.contextOf(k.id)));
      if (await this.options.store.replaceWrapped(k.id, k.wrapped, to)) moved++;
    }
    return moved;
  }

  private remember(stored: StoredDataKey, key: Buffer, expiresAt: number): void {
    this.known.add(stored.id);
    const cached = this.cached.get(stored.id);
    if (cached && cached.key.key.equals(key)) {
      key.fill(0);
      cached.expiresAt = expiresAt;
      return;
    }
    this.cached.set(stored.id, { key: { id: stored.id, key }, expiresAt });
  }

  private live(id: string | undefined): MasterKey | undefined {
    if (id === undefined) return undefined;
    const cached = this.cached.get(id);
    if (!cached) return undefined;
    if (cached.expiresAt > this.now()) return cached.key;
    // Past its lifetime the clear key leaves memory; the next refresh that works unwraps it again.
    cached.key.key.fill(0);
    this.cached.delete(id);
    return undefined;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      void this.refresh().then(() => {
        if (this.timer) this.schedule(this.kmsAnswering ? this.options.refreshMs : Math.min(this.options.refreshMs, 1000));
      });
    }, delayMs);
    this.timer.unref();
  }

  private contextOf(id: string): EncryptionContext {
    return { ...this.options.context, 'data-key': id };
  }

  private async ask<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (cause) {
      if (cause instanceof KmsUnavailableError) throw cause;
      throw new KmsUnavailableError('the KMS did not answer', { cause });
    }
  }
}
