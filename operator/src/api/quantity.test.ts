import { describe, expect, it } from '@jest/globals';
import { canonicalQuantity, mebibytes, parseQuantity } from './quantity.js';

describe('parseQuantity', () => {
  it.each([
    ['250m', 0.25],
    ['1', 1],
    [2, 2],
    ['0.5', 0.5],
    ['512Mi', 512 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1G', 1e9],
    ['1k', 1000],
    ['1e3', 1000],
    ['100Ki', 102400],
  ])('reads %p as %p', (input, expected) => {
    expect(parseQuantity(input)).toBeCloseTo(expected);
  });

  it('rejects a malformed quantity', () => {
    expect(() => parseQuantity('12 apples')).toThrow('malformed quantity');
  });
});

describe('mebibytes', () => {
  it('rounds down to whole MiB', () => {
    expect(mebibytes('512Mi')).toBe(512);
    expect(mebibytes('1G')).toBe(953);
    expect(mebibytes('1Gi')).toBe(1024);
  });
});

describe('canonicalQuantity', () => {
  // Pairs checked against kube-apiserver 1.33 (test/integration/operator/crd-validation.test.ts repeats them live).
  it.each([
    ['250m', '250m'],
    ['0.5', '500m'],
    [0.5, '500m'],
    ['1000m', '1'],
    ['1500m', '1500m'],
    ['2000', '2k'],
    [1, '1'],
    ['512Mi', '512Mi'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['0.5Ki', '512'],
    [536870912, '536870912'],
    ['1G', '1G'],
    ['1000M', '1G'],
    ['1e3', '1e3'],
    ['0', '0'],
  ])('spells %p as %p', (input, expected) => {
    expect(canonicalQuantity(input)).toBe(expected);
  });
});
