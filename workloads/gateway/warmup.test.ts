import { describe, expect, it } from '@jest/globals';
import { UpstreamWarmup } from './warmup.js';
import type { WarmupUpstream } from './warmup.js';

function upstream(count: number): WarmupUpstream & { count: number; asked: number } {
  const u = {
    count,
    asked: 0,
    instanceCount: () => u.count,
    lookAgain: () => {
      u.asked += 1;
    },
  };
  return u;
}

describe('UpstreamWarmup', () => {
  it('holds readiness until every upstream has a pod, asking discovery again for the missing ones', () => {
    let now = 0;
    const auth = upstream(0);
    const kyc = upstream(2);
    const opened: Array<[string[], number]> = [];
    const warmup = new UpstreamWarmup(
      new Map([
        ['auth', auth],
        ['kyc', kyc],
      ]),
      { maxWaitMs: 60_000, now: () => now, onOpen: (missing, waited) => opened.push([missing, waited]) },
    );
    expect(warmup.done()).toBe(false);
    expect(auth.asked).toBe(1);
    expect(kyc.asked).toBe(0);
    now = 1_500;
    auth.count = 1;
    expect(warmup.done()).toBe(true);
    expect(opened).toEqual([[[], 1_500]]);
  });

  it('stays open once open: an upstream losing every pod later does not take the gateway out of its Service', () => {
    const auth = upstream(1);
    const warmup = new UpstreamWarmup(new Map([['auth', auth]]), { maxWaitMs: 60_000, now: () => 0 });
    expect(warmup.done()).toBe(true);
    auth.count = 0;
    expect(warmup.done()).toBe(true);
    expect(auth.asked).toBe(0);
  });

  it('opens after maxWaitMs without the missing upstreams, and says which', () => {
    let now = 0;
    const opened: Array<[string[], number]> = [];
    const warmup = new UpstreamWarmup(
      new Map([
        ['auth', upstream(1)],
        ['analytics', upstream(0)],
      ]),
      { maxWaitMs: 30_000, now: () => now, onOpen: (missing, waited) => opened.push([missing, waited]) },
    );
    now = 29_999;
    expect(warmup.done()).toBe(false);
    now = 30_000;
    expect(warmup.done()).toBe(true);
    expect(warmup.done()).toBe(true);
    expect(opened).toEqual([[['analytics'], 30_000]]);
  });

  it('is open at once with no upstream configured', () => {
    expect(new UpstreamWarmup(new Map(), { maxWaitMs: 1 }).done()).toBe(true);
  });
});
