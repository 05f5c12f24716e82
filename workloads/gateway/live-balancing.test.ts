import { describe, expect, it } from '@jest/globals';
import type { BalancingPolicy } from './balancer.js';
import { LOAD_BALANCING_SECTION, followLoadBalancing, parseLoadBalancing } from './live-balancing.js';
import type { SectionSource } from './live-balancing.js';

/** The live settings as the gateway sees them: one section, changed by the test. */
function source(initial: unknown): SectionSource & { change(value: unknown): void } {
  let value = initial;
  const listeners: ((value: unknown) => void)[] = [];
  return {
    section: (key) => (key === LOAD_BALANCING_SECTION ? value : undefined),
    onSectionChange: (key, listener) => {
      if (key === LOAD_BALANCING_SECTION) listeners.push(listener);
    },
    change: (next) => {
      value = next;
      for (const listener of listeners) listener(next);
    },
  };
}

const ENV: BalancingPolicy = { strategy: 'round-robin', sticky: false };

describe('parseLoadBalancing (the loadBalancing section the operator writes)', () => {
  it('reads the strategy and stickySessions (false when absent), ignoring fields this version does not know', () => {
    expect(parseLoadBalancing({ strategy: 'ip-hash', stickySessions: true })).toEqual({ strategy: 'ip-hash', sticky: true });
    expect(parseLoadBalancing({ strategy: 'least-connections', zone: 'a' })).toEqual({ strategy: 'least-connections', sticky: false });
  });

  it.each([
    [null, /must be an object/],
    [['round-robin'], /must be an object/],
    [{ stickySessions: true }, /strategy must be one of round-robin, least-connections, ip-hash/],
    [{ strategy: 'weighted' }, /strategy must be one of/],
    [{ strategy: 'round-robin', stickySessions: 'yes' }, /stickySessions must be true or false/],
  ])('refuses %j', (value, message) => {
    expect(() => parseLoadBalancing(value)).toThrow(message);
  });
});

describe('followLoadBalancing', () => {
  it('applies the section in force at once, then each change with the policy it replaces', () => {
    const live = source({ strategy: 'least-connections', sticky: true });
    const applied: [BalancingPolicy, BalancingPolicy | undefined][] = [];
    followLoadBalancing(live, ENV, (policy, previous) => applied.push([policy, previous]));
    live.change({ strategy: 'ip-hash', sticky: true });
    live.change({ strategy: 'ip-hash', sticky: true }); // the same again: nothing to swap
    expect(applied).toEqual([
      [{ strategy: 'least-connections', sticky: true }, undefined],
      [
        { strategy: 'ip-hash', sticky: true },
        { strategy: 'least-connections', sticky: true },
      ],
    ]);
  });

  it('without the section (no file, an older operator, the default settings), the environment policy is in force, and again when it leaves', () => {
    const live = source(undefined);
    const applied: BalancingPolicy[] = [];
    followLoadBalancing(live, { strategy: 'ip-hash', sticky: false }, (policy) => applied.push(policy));
    live.change({ strategy: 'round-robin', sticky: true });
    live.change(undefined);
    expect(applied).toEqual([
      { strategy: 'ip-hash', sticky: false },
      { strategy: 'round-robin', sticky: true },
      { strategy: 'ip-hash', sticky: false },
    ]);
  });
});
