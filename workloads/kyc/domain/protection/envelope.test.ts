import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { EnvelopeError, blindIndex, blindIndexes, keyIdOf, open, openText, rewrap, seal, sealText } from './envelope.js';
import { parseKeyRing } from './key-ring.js';

const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
const ringV1 = parseKeyRing(`v1:${k1}`);
const ringV2 = parseKeyRing(`v2:${k2},v1:${k1}`);

describe('key ring', () => {
  it('uses the first key to encrypt and knows all keys', () => {
    expect(ringV2.current.id).toBe('v2');
    expect(ringV2.keys.map((k) => k.id)).toEqual(['v2', 'v1']);
    expect(ringV2.byId('v1')?.key.toString('base64')).toBe(k1);
    expect(ringV2.byId('v3')).toBeUndefined();
  });

  it.each([
    ['', /empty/],
    ['v1', /key id/],
    [`:${k1}`, /key id/],
    ['v1:dG9vIHNob3J0', /32 bytes/],
    [`v1:${k1},v1:${k2}`, /unique/],
    [`bad id:${k1}`, /key id/],
    [`v1:${k1.slice(0, -2)}!!`, /32 bytes/],
  ])('rejects %j without echoing key material', (spec, message) => {
    let error: unknown;
    try {
      parseKeyRing(spec);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(k1);
    expect((error as Error).message).not.toContain(k2);
  });
});

describe('envelope encryption', () => {
  it('round-trips text and binary data', () => {
    expect(openText(ringV1, sealText(ringV1, 'Kavya Raghunathan', 'applicant:1:name'), 'applicant:1:name')).toBe('Kavya Raghunathan');
    const blob = randomBytes(100_000);
    expect(open(ringV1, seal(ringV1, blob, 'doc:9'), 'doc:9').equals(blob)).toBe(true);
    expect(open(ringV1, seal(ringV1, Buffer.alloc(0), 'empty'), 'empty').length).toBe(0);
  });

  it('does not contain the plaintext and differs every time (random data key and IV)', () => {
    const a = sealText(ringV1, '234123412346', 'vault:x');
    const b = sealText(ringV1, '234123412346', 'vault:x');
    expect(a.equals(b)).toBe(false);
    expect(a.toString('latin1')).not.toContain('234123412346');
    expect(a.toString('base64')).not.toContain(Buffer.from('234123412346').toString('base64'));
  });

  it('records the id of the master key', () => {
    expect(keyIdOf(sealText(ringV1, 'x', 'c'))).toBe('v1');
    expect(keyIdOf(sealText(ringV2, 'x', 'c'))).toBe('v2');
  });

  it('refuses a different context (a ciphertext moved to another row or field)', () => {
    const sealed = sealText(ringV1, 'ABCPE1234F', 'applicant:1:pan');
    expect(() => openText(ringV1, sealed, 'applicant:2:pan')).toThrow(EnvelopeError);
  });

  it('detects tampering anywhere in the envelope', () => {
    const sealed = sealText(ringV1, 'secret address', 'c');
    for (let position = 0; position < sealed.length; position++) {
      const tampered = Buffer.from(sealed);
      tampered[position] = (tampered[position] ?? 0) ^ 0x01;
      expect(() => openText(ringV1, tampered, 'c')).toThrow(EnvelopeError);
    }
  });

  it('rejects garbage and truncated envelopes', () => {
    expect(() => open(ringV1, Buffer.from([]), 'c')).toThrow(EnvelopeError);
    expect(() => open(ringV1, Buffer.from([9, 1, 65]), 'c')).toThrow('not a version 1 envelope');
    expect(() => open(ringV1, sealText(ringV1, 'x', 'c').subarray(0, 40), 'c')).toThrow('truncated envelope');
  });

  it('rotates: old envelopes open with the new ring, rewrap moves them to the new key', () => {
    const old = sealText(ringV1, 'Kavya', 'c');
    expect(openText(ringV2, old, 'c')).toBe('Kavya');
    const rewrapped = rewrap(ringV2, old);
    expect(keyIdOf(rewrapped)).toBe('v2');
    expect(openText(ringV2, rewrapped, 'c')).toBe('Kavya');
    expect(() => openText(parseKeyRing(`v2:${k2}`), old, 'c')).toThrow('envelope key v1 is not in the key ring');
    expect(openText(parseKeyRing(`v2:${k2}`), rewrapped, 'c')).toBe('Kavya');
    expect(rewrap(ringV2, rewrapped)).toBe(rewrapped);
  });

  it('refuses a key with the right id but the wrong material', () => {
    const impostor = parseKeyRing(`v1:${k2}`);
    expect(() => openText(impostor, sealText(ringV1, 'x', 'c'), 'c')).toThrow(/does not unwrap/);
  });
});

describe('blind index', () => {
  it('is deterministic per key and purpose, and hides the value', () => {
    const a = blindIndex(ringV1, 'aadhaar', '234123412346');
    expect(a).toBe(blindIndex(ringV1, 'aadhaar', '234123412346'));
    expect(a).not.toBe(blindIndex(ringV1, 'pan', '234123412346'));
    expect(a).not.toBe(blindIndex(ringV1, 'aadhaar', '234123412347'));
    expect(a).not.toContain('234123412346');
    expect(a.startsWith('v1:')).toBe(true);
  });

  it('offers every key’s digest for look-ups after rotation', () => {
    const stored = blindIndex(ringV1, 'pan', 'ABCPE1234F');
    expect(blindIndexes(ringV2, 'pan', 'ABCPE1234F')).toContain(stored);
    expect(blindIndex(ringV2, 'pan', 'ABCPE1234F')).not.toBe(stored);
  });
});
