import { describe, expect, it } from '@jest/globals';
import { constants, generateKeyPairSync, privateDecrypt, randomBytes } from 'node:crypto';
import { DataKeyRing } from './data-key-ring.js';
import { keyIdOf, open, openText, rewrap, seal, sealText } from './envelope.js';
import { type KeyRing, parseKeyRing } from './key-ring.js';
import {
  type DataKeyStore,
  type EncryptionContext,
  type KeyManagementService,
  KmsUnavailableError,
  type ParkedDataKey,
  type ParkedKeyStore,
  type ParkingKeyService,
  type StoredDataKey,
  type WrappedDataKey,
} from './kms.js';

const ringKey = () => randomBytes(32).toString('base64');

/** A KMS over a key ring that can be switched off; counts its calls. */
class FakeKms implements KeyManagementService {
  down = false;
  calls = 0;
  contexts: EncryptionContext[] = [];
  constructor(public ring: KeyRing) {}
  private check(): void {
    this.calls++;
    if (this.down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:14580'), { code: 'ECONNREFUSED' });
  }
  generateDataKey(context: EncryptionContext) {
    this.check();
    const plaintext = randomBytes(32);
    const ciphertext = seal(this.ring, plaintext, JSON.stringify(context));
    return Promise.resolve({ plaintext, wrapped: { kmsKeyId: keyIdOf(ciphertext), ciphertext } });
  }
  decryptDataKey(wrapped: WrappedDataKey, context: EncryptionContext) {
    this.check();
    this.contexts.push(context);
    return Promise.resolve(open(this.ring, wrapped.ciphertext, JSON.stringify(context)));
  }
  reEncryptDataKey(wrapped: WrappedDataKey) {
    this.check();
    const ciphertext = rewrap(this.ring, wrapped.ciphertext);
    return Promise.resolve({ kmsKeyId: keyIdOf(ciphertext), ciphertext });
  }
  currentKeyId() {
    this.check();
    return Promise.resolve(this.ring.current.id);
  }
}

class MemoryDataKeys implements DataKeyStore {
  rows: StoredDataKey[] = [];
  list() {
    return Promise.resolve([...this.rows]);
  }
  insertActive(key: { id: string; wrapped: WrappedDataKey }) {
    if (!this.rows.some((r) => r.active)) this.rows.push({ ...key, active: true, rewrappedAt: new Date(0) });
    return Promise.resolve();
  }
  replaceWrapped(id: string, from: WrappedDataKey, to: WrappedDataKey) {
    const i = this.rows.findIndex((r) => r.id === id && r.wrapped.ciphertext.equals(from.ciphertext));
    if (i < 0) return Promise.resolve(false);
    this.rows[i] = { ...(this.rows[i] as StoredDataKey), wrapped: to, rewrappedAt: new Date() };
    return Promise.resolve(true);
  }
}

/** The KMS's RSA parking key: the private half stays here, as it stays in the KMS. */
class FakeParking implements ParkingKeyService {
  readonly pair = generateKeyPairSync('rsa', { modulusLength: 3072 });
  constructor(private readonly kms: FakeKms) {}
  parkingPublicKey() {
    if (this.kms.down) return Promise.reject(new Error('connect ECONNREFUSED'));
    return Promise.resolve({ kmsKeyId: 'parking', spki: this.pair.publicKey.export({ format: 'der', type: 'spki' }) });
  }
  unwrapParked(wrapped: WrappedDataKey) {
    if (this.kms.down) return Promise.reject(new Error('connect ECONNREFUSED'));
    return Promise.resolve(
      privateDecrypt({ key: this.pair.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, wrapped.ciphertext),
    );
  }
}

class MemoryParkedKeys implements ParkedKeyStore {
  rows: Array<{ id: string; wrapped: WrappedDataKey; retired: boolean }> = [];
  used = new Set<string>();
  listParked() {
    return Promise.resolve(this.rows.map(({ id, wrapped }) => ({ id, wrapped })));
  }
  insertParked(key: ParkedDataKey) {
    this.rows.push({ ...key, retired: false });
    return Promise.resolve();
  }
  retire(id: string) {
    for (const r of this.rows) if (r.id === id) r.retired = true;
    return Promise.resolve();
  }
  deleteUnused() {
    const gone = this.rows.filter((r) => r.retired && !this.used.has(r.id)).map((r) => r.id);
    this.rows = this.rows.filter((r) => !gone.includes(r.id));
    return Promise.resolve(gone);
  }
}

function setUp(options: { legacy?: KeyRing } = {}) {
  const k1 = ringKey();
  const kms = new FakeKms(parseKeyRing(`kek1:${k1}`));
  const store = new MemoryDataKeys();
  let now = 1_000_000;
  const make = () =>
    new DataKeyRing({ kms, store, cacheTtlMs: 60_000, refreshMs: 10_000, context: { service: 'kyc' }, now: () => now, ...options });
  return { kms, store, make, k1, advance: (ms: number) => (now += ms) };
}

describe('DataKeyRing', () => {
  it('when it starts on an empty store, then the KMS makes one data key, stored wrapped only, and records seal and open with it', async () => {
    const { store, make } = setUp();
    const ring = make();
    await ring.start();
    ring.stop();
    expect(store.rows).toHaveLength(1);
    const [row] = store.rows as [StoredDataKey];
    expect(row.wrapped.kmsKeyId).toBe('kek1');
    expect(row.wrapped.ciphertext.includes(ring.current.key)).toBe(false);
    const sealed = sealText(ring, 'ABCDE1234F', 'applicant:1');
    expect(keyIdOf(sealed)).toBe(row.id);
    expect(openText(ring, sealed, 'applicant:1')).toBe('ABCDE1234F');
  });

  it('when a second replica starts, then it uses the data key of the first (records of either open in the other)', async () => {
    const { store, make } = setUp();
    const first = make();
    await first.start();
    const second = make();
    await second.start();
    first.stop();
    second.stop();
    expect(store.rows).toHaveLength(1);
    expect(openText(second, sealText(first, 'x', 'c'), 'c')).toBe('x');
  });

  it('when the KMS stops, then writes are refused at the next refresh, reads go on until the lifetime ends, and both come back with the KMS', async () => {
    const { kms, make, advance } = setUp();
    const ring = make();
    await ring.start();
    ring.stop();
    const before = sealText(ring, 'kept', 'c');
    kms.down = true;
    await ring.refresh();
    expect(ring.writable).toBe(false);
    expect(() => sealText(ring, 'new', 'c')).toThrow(KmsUnavailableError);
    expect(openText(ring, before, 'c')).toBe('kept');
    advance(60_001);
    expect(() => openText(ring, before, 'c')).toThrow(KmsUnavailableError);
    expect(() => ring.keys).toThrow(KmsUnavailableError);
    kms.down = false;
    await ring.refresh();
    expect(ring.writable).toBe(true);
    expect(openText(ring, before, 'c')).toBe('kept');
  });

  it('when a refresh works, then the lifetime of the unwrapped key starts again', async () => {
    const { make, advance } = setUp();
    const ring = make();
    await ring.start();
    ring.stop();
    const sealed = sealText(ring, 'v', 'c');
    advance(50_000);
    await ring.refresh();
    advance(50_000);
    expect(openText(ring, sealed, 'c')).toBe('v');
  });

  it('when the KMS is down at start-up, then start fails with KmsUnavailableError', async () => {
    const { kms, make } = setUp();
    kms.down = true;
    await expect(make().start()).rejects.toBeInstanceOf(KmsUnavailableError);
  });

  it('when the KMS key changes, then rewrap moves the data key under it and old records still open with a ring started afresh', async () => {
    const { kms, store, make, k1 } = setUp();
    const ring = make();
    await ring.start();
    ring.stop();
    const sealed = sealText(ring, 'v', 'c');
    expect(await ring.rewrap()).toBe(0);
    kms.ring = parseKeyRing(`kek2:${ringKey()},kek1:${k1}`);
    expect(await ring.rewrap()).toBe(1);
    expect(store.rows[0]?.wrapped.kmsKeyId).toBe('kek2');
    kms.ring = parseKeyRing(`kek2:${kms.ring.current.key.toString('base64')}`);
    const fresh = make();
    await fresh.start();
    fresh.stop();
    expect(openText(fresh, sealed, 'c')).toBe('v');
  });

  it('when records were sealed with PII_ENCRYPTION_KEYS before the KMS, then they still open and new ones use the data key', async () => {
    const legacy = parseKeyRing(`v1:${ringKey()}`);
    const { make } = setUp({ legacy });
    const ring = make();
    await ring.start();
    ring.stop();
    const old = sealText(legacy, 'old', 'c');
    expect(openText(ring, old, 'c')).toBe('old');
    expect(ring.keys.map((k) => k.id)).toEqual([ring.current.id, 'v1']);
    expect(keyIdOf(sealText(ring, 'new', 'c'))).toMatch(/^dk-/);
  });

  it('binds every wrapped data key to the service and its own id (the KMS encryption context)', async () => {
    const { kms, store, make } = setUp();
    const ring = make();
    await ring.start();
    ring.stop();
    expect(kms.contexts).toEqual([{ service: 'kyc', 'data-key': store.rows[0]?.id }]);
  });

  describe('with a parking key', () => {
    const parked = () => {
      const bench = setUp();
      const parking = new FakeParking(bench.kms);
      const store = new MemoryParkedKeys();
      const make = () =>
        new DataKeyRing({
          kms: bench.kms,
          store: bench.store,
          cacheTtlMs: 60_000,
          refreshMs: 10_000,
          context: { service: 'kyc' },
          parking: { kms: parking, store },
        });
      /** Two pods started while the KMS answers, then the KMS stops and the first pod notices. */
      const twoPodsCutOff = async () => {
        const ring = make();
        const other = make();
        await ring.start();
        await other.start();
        ring.stop();
        other.stop();
        bench.kms.down = true;
        await ring.refresh();
        return { ring, other };
      };
      return { ...bench, parkedKeys: store, make, twoPodsCutOff };
    };

    it('when the KMS stops, then writes are sealed under a parked key stored only RSA-wrapped, which another pod cannot open', async () => {
      const { parkedKeys, twoPodsCutOff } = parked();
      const { ring, other } = await twoPodsCutOff();
      await other.refresh();
      expect(ring.writable).toBe(false);
      expect(ring.parking).toBe(true);
      const sealed = sealText(ring, 'ABCDE1234F', 'applicant:1');
      expect(keyIdOf(sealed)).toMatch(/^pk-/);
      expect(parkedKeys.rows.map((r) => r.id)).toEqual([keyIdOf(sealed), expect.stringMatching(/^pk-/)]);
      const row = parkedKeys.rows[0] as ParkedDataKey;
      expect(row.wrapped.kmsKeyId).toBe('parking');
      expect(row.wrapped.ciphertext.includes(ring.current.key)).toBe(false);
      expect(row.wrapped.ciphertext).toHaveLength(384);
      expect(openText(ring, sealed, 'applicant:1')).toBe('ABCDE1234F');
      expect(() => openText(other, sealed, 'applicant:1')).toThrow(KmsUnavailableError);
      expect(() => ring.settled.current).toThrow(KmsUnavailableError);
    });

    it('when the KMS answers again, then the parked key is unwrapped by the KMS for every pod, retired, and forgotten once nothing names it', async () => {
      const { kms, parkedKeys, twoPodsCutOff } = parked();
      const { ring, other } = await twoPodsCutOff();
      const sealed = sealText(ring, 'ABCDE1234F', 'applicant:1');
      const parkedId = keyIdOf(sealed);
      kms.down = false;
      await ring.refresh();
      await other.refresh();
      expect(ring.parking).toBe(false);
      expect(keyIdOf(sealText(ring, 'new', 'c'))).toMatch(/^dk-/);
      expect(openText(other, sealed, 'applicant:1')).toBe('ABCDE1234F');
      expect(parkedKeys.rows).toEqual([expect.objectContaining({ id: parkedId, retired: true })]);
      // The rotation pass moves the record under the active data key (envelope.rewrap with `settled`).
      const moved = rewrap(other.settled, sealed);
      expect(keyIdOf(moved)).toBe(other.current.id);
      parkedKeys.used.add(parkedId);
      expect(await other.forgetUnusedParked()).toEqual([]);
      parkedKeys.used.clear();
      expect(await other.forgetUnusedParked()).toEqual([parkedId]);
      expect(() => openText(other, sealed, 'applicant:1')).toThrow(KmsUnavailableError);
      expect(openText(other, moved, 'applicant:1')).toBe('ABCDE1234F');
    });

    it('when one parked key does not unwrap, then the records under the others still open once the KMS is back', async () => {
      const { kms, parkedKeys, twoPodsCutOff } = parked();
      const { ring, other } = await twoPodsCutOff();
      await other.refresh();
      const mine = sealText(ring, 'mine', 'c');
      const theirs = sealText(other, 'theirs', 'c');
      const damaged = parkedKeys.rows.find((r) => r.id === keyIdOf(theirs));
      if (damaged) damaged.wrapped = { ...damaged.wrapped, ciphertext: Buffer.alloc(384) };
      kms.down = false;
      await ring.refresh();
      expect(openText(ring, mine, 'c')).toBe('mine');
      expect(() => openText(ring, theirs, 'c')).toThrow(KmsUnavailableError);
    });

    it('when the parked key cannot be stored, then writes are refused as without parking', async () => {
      const { kms, parkedKeys, make } = parked();
      const ring = make();
      await ring.start();
      ring.stop();
      parkedKeys.insertParked = () => Promise.reject(new Error('connection terminated'));
      kms.down = true;
      await ring.refresh();
      expect(ring.parking).toBe(false);
      expect(() => sealText(ring, 'new', 'c')).toThrow(KmsUnavailableError);
    });
  });
});
