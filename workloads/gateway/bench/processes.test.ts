import { describe, expect, it } from '@jest/globals';
import { median } from './processes.js';

describe('median', () => {
  it('is the middle value of an odd count, whatever the order', () => {
    expect(median([0.58, 0.43, 0.5])).toBe(0.5);
  });

  it('is the mean of the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('is NaN for no values', () => {
    expect(median([])).toBeNaN();
  });
});
