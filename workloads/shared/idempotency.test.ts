import { describe, expect, it } from '@jest/globals';
import { canonicalJson } from './idempotency.js';

describe('canonicalJson', () => {
  it('ignores key order and undefined values', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe(canonicalJson({ a: { d: [1, { x: 1, y: 2 }] }, b: 1 }));
  });

  it('distinguishes different bodies', () => {
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
    expect(canonicalJson(null)).toBe('null');
  });

  it('renders what JSON.stringify renders for sorted input (fingerprints stored before stay valid)', () => {
    const value = { a: [1, 'two', null, true, { b: [], c: {} }], d: { e: 'é"\\' }, f: -1.5e-7, g: [[[]]] };
    expect(canonicalJson(value)).toBe(JSON.stringify(value));
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
    expect(canonicalJson('x')).toBe('"x"');
  });

  it('when a value is nested 200 000 levels deep, then it renders without overflowing the stack', () => {
    const depth = 200_000;
    let deep: unknown = [];
    for (let i = 1; i < depth; i++) deep = i % 2 === 0 ? [deep] : { k: deep };
    const text = canonicalJson(deep);
    expect(text.length).toBeGreaterThan(depth * 2);
    expect(text.startsWith('{"k":[{"k":[')).toBe(true);
  });
});
