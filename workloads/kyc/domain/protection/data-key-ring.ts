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
//
// With a parking key (docs/security.md, "Writes while the KMS is away") writes go on instead: at the first
// failed refresh the pod makes one parked data key (parking.ts), stores its RSA wrapping, and seals new
// records under it. Only this pod holds it in clear, for the outage; other pods (and this one after a
// restart) answer 503 for records under it until the KMS unwraps it again. Once the KMS answers, the pod
// retires its parked key, and every refresh unwraps the stored parked keys (KMS Decrypt) into the cache
// like any data key, so the rotation pass (`settled`, data-access/key-rotation.ts) can move their records
// under the active data key; a retired parked key no record names is then forgotten.
import { randomUUID } from 'node:crypto';
import type { KeyRing, MasterKey } from './key-ring.js';
import {
  type DataKeyStore,
  type EncryptionContext,
  type KeyManagementService,
  KmsUnavailableError,
  type ParkedKeyStore,
  type ParkingKeyService,
  type StoredDataKey,
} from './kms.js';
import { PARKED_KEY_PREFIX, type ParkingPublicKey, isParkedKeyId, makeParkedKey, parkedKeyOf, parkingPublicKey } from './parking.js';

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
  /** Writes while the KMS is away are sealed under a parked data key instead of refused. */
  parking?: {
    kms: ParkingKeyService;
    store: ParkedKeyStore;
    /** This pod seals under parked key `id` from now on. */
    onParked?: (id: string) => void;
    /** A parked key could not be stored, retired or unwrapped (the next refresh tries again). */
    onFailure?: (what: string, error: unknown) => void;
  };
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
  private parkingKey: ParkingPublicKey | undefined;
  /** This pod's parked data key of the current outage (the only clear copy). */
  private ownParked: MasterKey | undefined;
  private readonly toRetire = new Set<string>();

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
    const parking = this.options.parking;
    if (parking) {
      const pub = await this.ask(() => parking.kms.parkingPublicKey());
      this.parkingKey = parkingPublicKey(pub.kmsKeyId, pub.spki);
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

  /** Whether new records can be sealed under the KMS's data key now (the KMS answered the latest refresh). */
  get writable(): boolean {
    return this.kmsAnswering && this.live(this.activeId) !== undefined;
  }

  /** Whether new records are sealed under this pod's parked key (the KMS is away). */
  get parking(): boolean {
    return !this.writable && this.ownParked !== undefined;
  }

  get current(): MasterKey {
    const key = this.sealingKey();
    if (!key) throw new KmsUnavailableError('the KMS is not answering: new PII cannot be sealed now');
    return key;
  }

  get keys(): readonly MasterKey[] {
    return this.keysLedBy(this.sealingKey() ?? this.live(this.activeId));
  }

  /** The ring without parking: what the passes that move records use, so that nothing moves under a parked key. */
  get settled(): KeyRing {
    const active = (): MasterKey => {
      const key = this.activeKey();
      if (!key) throw new KmsUnavailableError('the KMS is not answering: records are not moved now');
      return key;
    };
    const ledBy = (first: MasterKey): readonly MasterKey[] => this.keysLedBy(first);
    const byId = (id: string): MasterKey | undefined => this.byId(id);
    // A live view: each read asks the ring again.
    return {
      get current() {
        return active();
      },
      get keys() {
        return ledBy(active());
      },
      byId,
    };
  }

  byId(id: string): MasterKey | undefined {
    const key = this.live(id);
    if (key) return key;
    // This pod's own parked key reads what it wrote during the outage, like any cached key.
    if (this.ownParked?.id === id) return this.ownParked;
    if (this.known.has(id) || isParkedKeyId(id))
      throw new KmsUnavailableError(`PII data key ${id} is not unwrapped (the KMS is not answering)`);
    return this.options.legacy?.byId(id);
  }

  private activeKey(): MasterKey | undefined {
    return this.kmsAnswering ? this.live(this.activeId) : undefined;
  }

  /** The KMS's data key while it answers, else this pod's parked key (if it parks). */
  private sealingKey(): MasterKey | undefined {
    return this.activeKey() ?? (this.kmsAnswering ? undefined : this.ownParked);
  }

  private keysLedBy(first: MasterKey | undefined): readonly MasterKey[] {
    // Blind indexes are computed over every key; without the sealing one the set would silently be wrong.
    if (!first) throw new KmsUnavailableError('the PII data key is not unwrapped (the KMS is not answering)');
    const others = [...this.cached.values()].map((c) => c.key).filter((k) => k !== first && this.live(k.id));
    const own = this.ownParked && this.ownParked !== first ? [this.ownParked] : [];
    return [first, ...others, ...own, ...(this.options.legacy?.keys ?? [])];
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
      await this.park();
      return;
    }
    if (this.kmsAnswering) await this.unpark();
  }

  /** The KMS is away: from now on this pod seals under a parked data key, once its wrapping is stored. */
  private async park(): Promise<void> {
    const parking = this.options.parking;
    if (!parking || !this.parkingKey || this.ownParked) return;
    const made = makeParkedKey(`${PARKED_KEY_PREFIX}${randomUUID()}`, this.parkingKey);
    try {
      await parking.store.insertParked(made.parked);
    } catch (error) {
      made.key.key.fill(0);
      parking.onFailure?.('store a parked data key', error);
      return;
    }
    this.ownParked = made.key;
    parking.onParked?.(made.key.id);
  }

  /**
   * The KMS answers: every stored parked key is unwrapped into the cache (KMS Decrypt), so that records
   * under it open and can move; this pod's own parked key is retired, its clear copy dropped.
   */
  private async unpark(): Promise<void> {
    const parking = this.options.parking;
    if (!parking) return;
    const parked = await parking.store.listParked().catch((error: unknown) => {
      parking.onFailure?.('list the parked data keys', error);
      return [];
    });
    const expiresAt = this.now() + this.options.cacheTtlMs;
    for (const p of parked) {
      // One key the KMS refuses (its wrapping damaged, the parking key disabled) leaves the others usable.
      try {
        const key = parkedKeyOf(p.id, await this.ask(() => parking.kms.unwrapParked(p.wrapped)));
        this.remember({ id: p.id, wrapped: p.wrapped, active: false, rewrappedAt: new Date(0) }, key, expiresAt);
      } catch (error) {
        parking.onFailure?.(`unwrap parked data key ${p.id}`, error);
      }
    }
    if (this.ownParked) {
      this.toRetire.add(this.ownParked.id);
      // The cache holds the KMS's own copy now (if it unwrapped it); this one was the outage's.
      this.ownParked.key.fill(0);
      this.ownParked = undefined;
    }
    for (const id of this.toRetire) {
      try {
        await parking.store.retire(id);
        this.toRetire.delete(id);
      } catch (error) {
        parking.onFailure?.('retire a parked data key', error);
      }
    }
  }

  /** Forgets the retired parked keys no record names any more (after the rotation pass moved them). */
  async forgetUnusedParked(): Promise<string[]> {
    const store = this.options.parking?.store;
    if (!store) return [];
    const gone = await store.deleteUnused();
    for (const id of gone) {
      this.cached.get(id)?.key.key.fill(0);
      this.cached.delete(id);
      this.known.delete(id);
    }
    return gone;
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
