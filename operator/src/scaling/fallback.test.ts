import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import { afterRead, fallbackPolicy, HEALTHY, type FailureState } from './fallback.js';

const fail = { ok: false as const, error: 'broker down' };
const ok = { ok: true as const };

describe('afterRead', () => {
  it('falls back only after the threshold of consecutive failures, and reports the first failure once', () => {
    let state: FailureState = HEALTHY;
    const transitions: unknown[] = [];
    for (let i = 0; i < 3; i += 1) {
      const next = afterRead(state, fail, 3);
      transitions.push(next.transition);
      state = next.state;
      expect(state.inFallback).toBe(i === 2);
    }
    expect(transitions).toEqual(['failed', undefined, 'fallback']);
    expect(state).toEqual({ consecutiveFailures: 3, inFallback: true, lastError: 'broker down' });
  });

  it('one good read ends the fallback and reports the recovery', () => {
    const failing: FailureState = { consecutiveFailures: 5, inFallback: true, lastError: 'x' };
    expect(afterRead(failing, ok, 3)).toEqual({ state: HEALTHY, transition: 'recovered' });
  });

  it('a success interrupts the count: failures must be consecutive', () => {
    let state = afterRead(HEALTHY, fail, 2).state;
    state = afterRead(state, ok, 2).state;
    state = afterRead(state, fail, 2).state;
    expect(state.inFallback).toBe(false);
  });

  it('a threshold of one reports the fallback at the first failure', () => {
    expect(afterRead(HEALTHY, fail, 1).transition).toBe('fallback');
  });

  it('a healthy source stays quiet', () => {
    expect(afterRead(HEALTHY, ok, 3)).toEqual({ state: HEALTHY, transition: undefined });
  });
});

describe('fallbackPolicy', () => {
  it("takes the component's fallback, else the platform's, with the default threshold", () => {
    const { spec } = platform({
      autoscaling: { fallback: { replicas: 4 } },
      components: { kyc: { autoscaling: { fallback: { failureThreshold: 1, replicas: 8 } } } },
    });
    expect(fallbackPolicy(spec, 'kyc')).toEqual({ threshold: 1, replicas: 8 });
    expect(fallbackPolicy(spec, 'gateway')).toEqual({ threshold: 3, replicas: 4 });
    expect(fallbackPolicy(platform().spec, 'gateway')).toBeUndefined();
  });
});
