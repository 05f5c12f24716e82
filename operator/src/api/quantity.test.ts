import { describe, expect, it } from '@jest/globals';
import { mebibytes, parseQuantity } from './quantity.js';

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
