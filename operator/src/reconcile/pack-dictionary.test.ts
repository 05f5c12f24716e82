import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import { renderPlatform } from '../render/index.js';
import { packDictionaries } from './pack-dictionary.js';

describe('packDictionaries', () => {
  const dictionaries = packDictionaries();
  // Another platform than the sample, as the API server would answer it (its fields, a status).
  const objects = renderPlatform(platform({}, 'zenith-retail-prod')).map((object) => ({
    ...object,
    metadata: {
      ...object.metadata,
      uid: '5f0e7c1a-1234-4000-8000-00000000abcd',
      resourceVersion: '8812345',
      creationTimestamp: '2026-12-07T05:00:00Z',
    },
    status: { observedGeneration: 1, replicas: 2, readyReplicas: 2, availableReplicas: 2 },
  }));

  it('gives every kind a platform renders a dictionary within zlib’s 32 KiB window', () => {
    expect([...new Set(objects.map((object) => object.kind))].sort()).toEqual([...dictionaries.keys()].sort());
    for (const dictionary of dictionaries.values()) expect(dictionary.length).toBeLessThanOrEqual(32 * 1024);
  });

  it('when another platform’s objects are packed with it, then they take a quarter or less of plain deflate, and come back the same', () => {
    let plain = 0;
    let withDictionary = 0;
    for (const object of objects) {
      const text = JSON.stringify(object);
      const dictionary = dictionaries.get(object.kind);
      const packed = deflateRawSync(text, { dictionary });
      plain += deflateRawSync(text).length;
      withDictionary += packed.length;
      expect(inflateRawSync(packed, { dictionary }).toString('utf8')).toBe(text);
    }
    expect(withDictionary * 4).toBeLessThanOrEqual(plain);
  });
});
