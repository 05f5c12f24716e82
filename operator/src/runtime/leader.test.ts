import { describe, expect, it } from '@jest/globals';
import { canAcquire, microTime } from './leader.js';

describe('canAcquire', () => {
  const held = { holderIdentity: 'other', leaseDurationSeconds: 15 };

  it('takes a Lease nobody holds', () => {
    expect(canAcquire(undefined, 'me', 0, 0)).toBe(true);
    expect(canAcquire({ holderIdentity: null }, 'me', 0, 0)).toBe(true);
  });

  it('renews its own Lease', () => {
    expect(canAcquire({ ...held, holderIdentity: 'me' }, 'me', 1_000, 1_001)).toBe(true);
  });

  it('waits while the holder renewed within the lease duration, measured on its own clock', () => {
    expect(canAcquire(held, 'me', 10_000, 24_999)).toBe(false);
    expect(canAcquire(held, 'me', 10_000, 25_000)).toBe(true);
  });
});

describe('microTime', () => {
  it('writes RFC 3339 with microseconds', () => {
    expect(microTime(new Date('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02T03:04:05.678000Z');
  });
});
