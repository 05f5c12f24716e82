import { describe, expect, it } from '@jest/globals';
import { topicLag } from './kafka-lag.js';

describe('topicLag', () => {
  it('sums end offset minus committed offset over the partitions', () => {
    expect(
      topicLag(
        [
          { partition: 0, high: '120', low: '0' },
          { partition: 1, high: '50', low: '0' },
        ],
        [
          { partition: 0, offset: '100' },
          { partition: 1, offset: '50' },
        ],
      ),
    ).toBe(20n);
  });

  it('counts a partition without a committed offset from its earliest offset', () => {
    expect(
      topicLag(
        [
          { partition: 0, high: '1000', low: '200' },
          { partition: 1, high: '10', low: '0' },
        ],
        [{ partition: 0, offset: '-1' }],
      ),
    ).toBe(800n + 10n);
  });

  it('counts from the earliest offset when the committed one was deleted by retention', () => {
    expect(topicLag([{ partition: 0, high: '500', low: '400' }], [{ partition: 0, offset: '10' }])).toBe(100n);
  });

  it('is never negative and handles offsets beyond 2^53', () => {
    expect(topicLag([{ partition: 0, high: '5', low: '0' }], [{ partition: 0, offset: '7' }])).toBe(0n);
    expect(topicLag([{ partition: 0, high: '9007199254740999', low: '0' }], [{ partition: 0, offset: '9007199254740990' }])).toBe(9n);
  });

  it('is zero for an empty topic', () => {
    expect(topicLag([{ partition: 0, high: '0', low: '0' }], [])).toBe(0n);
  });
});
