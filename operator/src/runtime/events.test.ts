import { describe, expect, it } from '@jest/globals';
import type { KubeClient } from './kube.js';
import type { Logger } from './logger.js';
import { EventDeduper, EventRecorder, TRANSITION_REPEAT_MS } from './events.js';

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

describe('EventRecorder', () => {
  const platform = { apiVersion: 'kyc.dev/v1alpha1', kind: 'KycPlatform', metadata: { name: 'acme', namespace: 'shop', uid: 'u1' } };
  const recorder = (clock: { at: number }): { events: EventRecorder; created: { reason: string; lastTimestamp: string }[] } => {
    const created: { reason: string; lastTimestamp: string }[] = [];
    const client = {
      create: (_type: unknown, _namespace: string, event: { reason: string; lastTimestamp: string }) => {
        created.push({ reason: event.reason, lastTimestamp: event.lastTimestamp });
        return Promise.resolve(event);
      },
    } as unknown as KubeClient;
    const logger = { debug: () => undefined } as unknown as Logger;
    return { events: new EventRecorder(client, logger, 'kyc-operator', 'pod-1', 10 * 60_000, () => clock.at), created };
  };

  it('when the same change of state happens again minutes later (a second outage), then it is recorded again; a repeated decision is not', async () => {
    const clock = { at: Date.parse('2026-12-07T12:00:00Z') };
    const { events, created } = recorder(clock);
    const outage = 'postgres unreachable from kyc (1/1 pods): writes refused with 503 + Retry-After, reads that need the database too';
    events.record(platform, 'Warning', 'DependencyUnavailable', outage, TRANSITION_REPEAT_MS);
    events.record(platform, 'Warning', 'InvalidSpec', 'spec.version: required');
    // A pass that read the status before its own patch landed says the same at once: not recorded.
    clock.at += 1_000;
    events.record(platform, 'Warning', 'DependencyUnavailable', outage, TRANSITION_REPEAT_MS);
    // Two minutes later, after a recovery, PostgreSQL goes away again; the spec is still invalid.
    clock.at += 2 * 60_000;
    events.record(platform, 'Warning', 'DependencyUnavailable', outage, TRANSITION_REPEAT_MS);
    events.record(platform, 'Warning', 'InvalidSpec', 'spec.version: required');
    await events.flush();
    expect(created).toEqual([
      { reason: 'DependencyUnavailable', lastTimestamp: '2026-12-07T12:00:00.000Z' },
      { reason: 'InvalidSpec', lastTimestamp: '2026-12-07T12:00:00.000Z' },
      { reason: 'DependencyUnavailable', lastTimestamp: '2026-12-07T12:02:01.000Z' },
    ]);
  });
});
