import { describe, expect, it } from '@jest/globals';
import { backoffDelayMs } from './backoff.js';

describe('login backoff', () => {
  it('doubles per failure from 1 s and stops at the cap (15 min)', () => {
    const delays = [0, 1, 2, 3, 4, 10, 11, 50, 10_000].map((n) => backoffDelayMs(n, 1000, 900_000));
    expect(delays).toEqual([0, 1000, 2000, 4000, 8000, 512_000, 900_000, 900_000, 900_000]);
  });
});
