import { describe, expect, it } from '@jest/globals';
import type { SeenEvents } from './ports.js';
import { SeenPruning, seenCutoff } from './seen-pruning.js';

/** A fake store of seen-at times that deletes as the PostgreSQL one does: up to `limit` older than `before`. */
function store(seenAt: Date[]): SeenEvents & { rows: Date[]; calls: number } {
  const fake = {
    rows: [...seenAt],
    calls: 0,
    pruneSeen: (before: Date, limit: number) => {
      fake.calls += 1;
      const old = fake.rows.filter((at) => at < before).slice(0, limit);
      fake.rows = fake.rows.filter((at) => !old.includes(at));
      return Promise.resolve(old.length);
    },
  };
  return fake;
}

describe('pruning events_seen', () => {
  const now = new Date('2026-12-06T02:00:00Z');

  it('the cutoff is the horizon before now', () => {
    expect(seenCutoff(now, 30).toISOString()).toBe('2026-11-06T02:00:00.000Z');
  });

  it('when records are older than the horizon, then they are deleted in batches and the younger ones stay', async () => {
    const old = Array.from({ length: 5 }, (_, i) => new Date(Date.UTC(2026, 10, 1, 0, i)));
    const young = [new Date('2026-11-06T02:00:00Z'), new Date('2026-12-05T00:00:00Z')];
    const seen = store([...old, ...young]);
    expect(await new SeenPruning(seen, 30, 2).run(now)).toBe(5);
    expect(seen.rows).toEqual(young);
    // 2 + 2 + 1: the short batch ends the run.
    expect(seen.calls).toBe(3);
  });

  it('when the backlog is larger than a run may take, then the run stops at its batches and the next run goes on', async () => {
    const seen = store(Array.from({ length: 7 }, (_, i) => new Date(Date.UTC(2026, 0, 1, 0, i))));
    const pruning = new SeenPruning(seen, 30, 2, 2);
    expect(await pruning.run(now)).toBe(4);
    expect(await pruning.run(now)).toBe(3);
    expect(seen.rows).toEqual([]);
  });
});
