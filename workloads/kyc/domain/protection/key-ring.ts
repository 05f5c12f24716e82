// The master-key ring from PII_ENCRYPTION_KEYS: `keyId:base64-32-byte-key[,keyId:key...]`. The first key
// encrypts; every key decrypts, so a new key can be put first and old records stay readable until they
// are re-wrapped. Error messages never contain key material.

export interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

export interface KeyRing {
  /** The key new data keys are wrapped with. */
  readonly current: MasterKey;
  readonly keys: readonly MasterKey[];
  byId(id: string): MasterKey | undefined;
}

const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;

export function parseKeyRing(spec: string): KeyRing {
  const entries = spec
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) throw new Error('PII_ENCRYPTION_KEYS is empty: expected keyId:base64-32-byte-key[,...]');
  const keys: MasterKey[] = entries.map((entry, position) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    if (!KEY_ID.test(id)) {
      throw new Error(`PII_ENCRYPTION_KEYS entry ${position + 1}: key id must be 1-64 of [A-Za-z0-9_.-]`);
    }
    const material = entry.slice(colon + 1);
    const key = Buffer.from(material, 'base64');
    if (key.length !== 32 || !/^[A-Za-z0-9+/]+={0,2}$/.test(material)) {
      throw new Error(`PII_ENCRYPTION_KEYS key ${id}: must be exactly 32 bytes, base64-encoded`);
    }
    return { id, key };
  });
  const ids = new Set(keys.map((k) => k.id));
  if (ids.size !== keys.length) throw new Error('PII_ENCRYPTION_KEYS: key ids must be unique');
  const current = keys[0] as MasterKey;
  return { current, keys, byId: (id) => keys.find((k) => k.id === id) };
}
