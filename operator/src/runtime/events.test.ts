import { describe, expect, it } from '@jest/globals';
import { EventDeduper } from './events.js';

describe('EventDeduper', () => {
  it('admits an event once per window', () => {
    const deduper = new EventDeduper(1_000);
    expect(deduper.admit('p|Normal|Created|x', 0)).toBe(true);
    expect(deduper.admit('p|Normal|Created|x', 500)).toBe(false);
    expect(deduper.admit('p|Normal|Created|y', 500)).toBe(true);
    expect(deduper.admit('p|Normal|Created|x', 1_000)).toBe(true);
  });

  it('forgets the oldest keys when it grows past its bound', () => {
    const deduper = new EventDeduper(1_000, 2);
    deduper.admit('a', 0);
    deduper.admit('b', 0);
    deduper.admit('c', 0);
    expect(deduper.admit('a', 1)).toBe(true);
    expect(deduper.admit('c', 1)).toBe(false);
  });
});
