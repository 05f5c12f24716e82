import { describe, expect, it } from '@jest/globals';
import { hashOf, isSubsetOf, parseQuantity, projectOnto, stableStringify } from './hash.js';

describe('stableStringify and hashOf', () => {
  it('ignore key order and undefined fields', () => {
    expect(stableStringify({ b: 1, a: { d: [1, 2], c: undefined } })).toBe('{"a":{"d":[1,2]},"b":1}');
    expect(hashOf({ a: 1, b: [{ x: 1, y: 2 }] })).toBe(hashOf({ b: [{ y: 2, x: 1 }], a: 1 }));
  });

  it('change when any value changes, including array order', () => {
    expect(hashOf({ a: [1, 2] })).not.toBe(hashOf({ a: [2, 1] }));
    expect(hashOf({ a: 'v1' })).not.toBe(hashOf({ a: 'v2' }));
    expect(hashOf({ a: 'v1' })).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('projectOnto', () => {
  it('keeps only the fields the desired object sets', () => {
    const desired = { spec: { replicas: 2, template: { containers: [{ name: 'c', image: 'i:1' }] } } };
    const live = {
      status: { readyReplicas: 2 },
      spec: { replicas: 3, paused: false, template: { containers: [{ name: 'c', image: 'i:1', terminationMessagePath: '/x' }] } },
    };
    expect(projectOnto(desired, live)).toEqual({ spec: { replicas: 3, template: { containers: [{ name: 'c', image: 'i:1' }] } } });
  });

  it('returns the whole live array when its length differs', () => {
    expect(projectOnto({ a: [{ x: 1 }] }, { a: [{ x: 1, y: 1 }, { x: 2 }] })).toEqual({ a: [{ x: 1, y: 1 }, { x: 2 }] });
  });

  it('gives the same projection for a live object that only gained server-side fields', () => {
    const desired = { metadata: { labels: { a: 'b' } }, data: { k: 'v' } };
    const first = projectOnto(desired, { metadata: { labels: { a: 'b' }, resourceVersion: '1' }, data: { k: 'v' } });
    const later = projectOnto(desired, { metadata: { labels: { a: 'b' }, resourceVersion: '9', uid: 'u' }, data: { k: 'v' } });
    expect(hashOf(first)).toBe(hashOf(later));
  });
});

describe('parseQuantity', () => {
  it('understands decimal and binary suffixes', () => {
    expect(parseQuantity('250m')).toBeCloseTo(0.25);
    expect(parseQuantity('0.25')).toBeCloseTo(0.25);
    expect(parseQuantity('256Mi')).toBe(256 * 2 ** 20);
    expect(parseQuantity(3)).toBe(3);
    expect(parseQuantity('abc')).toBeUndefined();
  });
});

describe('isSubsetOf', () => {
  it('accepts server defaults and canonical forms', () => {
    const desired = { spec: { ports: [{ port: 80, targetPort: 8080 }], resources: { cpu: '0.5' } } };
    const live = { spec: { ports: [{ port: 80, targetPort: '8080', protocol: 'TCP' }], resources: { cpu: '500m' } } };
    expect(isSubsetOf(desired, live)).toBe(true);
  });

  it('rejects a changed or missing value', () => {
    expect(isSubsetOf({ spec: { replicas: 2 } }, { spec: { replicas: 3 } })).toBe(false);
    expect(isSubsetOf({ spec: { image: 'a' } }, { spec: {} })).toBe(false);
    expect(isSubsetOf({ a: [1, 2] }, { a: [1] })).toBe(false);
  });

  it('treats empty desired values as matching absent live ones', () => {
    expect(isSubsetOf({ a: [], b: {}, c: '' }, {})).toBe(true);
  });
});
