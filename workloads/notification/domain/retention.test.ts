// The message log's retention clock: the cutoff, which rows are due, legal holds from kyc's events, and
// the run through a moved clock.
import { describe, expect, it } from '@jest/globals';
import { MessageLogRetention, legalHoldChangeOf, messageDue, retentionCutoff } from './retention.js';
import type { RetentionRun, RetentionStore } from './retention.js';

const now = new Date('2026-12-05T12:00:00Z');

describe('the message log retention', () => {
  it('the cutoff is the retention in whole days before now; less than a day is refused', () => {
    expect(retentionCutoff(now, 365).toISOString()).toBe('2025-12-05T12:00:00.000Z');
    expect(() => retentionCutoff(now, 0)).toThrow(/at least 1/);
    expect(() => retentionCutoff(now, 1.5)).toThrow(/whole number/);
  });

  it('a row is due once written before the cutoff, unless it is still being sent or its customer is held', () => {
    const cutoff = retentionCutoff(now, 30);
    const old = new Date(cutoff.getTime() - 1);
    const held = new Set(['held-1']);
    expect(messageDue({ createdAt: old, status: 'sent', userId: 'u' }, cutoff, held)).toBe(true);
    expect(messageDue({ createdAt: old, status: 'failed', userId: 'erased' }, cutoff, held)).toBe(true);
    expect(messageDue({ createdAt: cutoff, status: 'sent', userId: 'u' }, cutoff, held)).toBe(false);
    expect(messageDue({ createdAt: old, status: 'requested', userId: 'u' }, cutoff, held)).toBe(false);
    expect(messageDue({ createdAt: old, status: 'sent', userId: 'held-1' }, cutoff, held)).toBe(false);
  });

  it('reads holds from customer.legal_hold.placed and .released only', () => {
    expect(legalHoldChangeOf({ type: 'customer.legal_hold.placed', data: { customerId: 'c' } })).toEqual({ customerId: 'c', held: true });
    expect(legalHoldChangeOf({ type: 'customer.legal_hold.released', data: { customerId: 'c' } })).toEqual({
      customerId: 'c',
      held: false,
    });
    expect(legalHoldChangeOf({ type: 'customer.legal_hold.placed', data: {} })).toBeUndefined();
    expect(legalHoldChangeOf({ type: 'customer.erasure.requested', data: { customerId: 'c' } })).toBeUndefined();
  });

  it('runs with the clock it is given (a year on, the cutoff moves with it) and keeps the holds it is told of', async () => {
    const cutoffs: Date[] = [];
    const holds = new Map<string, boolean>();
    const store: RetentionStore = {
      prune: (cutoff, _at, limit): Promise<RetentionRun> => {
        cutoffs.push(cutoff);
        return Promise.resolve({ cutoff, messages: limit, deadLetters: 0, held: holds.size });
      },
      setHold: (customerId, held) => Promise.resolve(void (held ? holds.set(customerId, true) : holds.delete(customerId))),
    };
    let clock = now;
    const retention = new MessageLogRetention(store, 365, () => clock);
    expect(await retention.handle({ type: 'customer.legal_hold.placed', data: { customerId: 'c' } })).toBe(true);
    expect(await retention.handle({ type: 'kyc.application.approved', data: { customerId: 'c' } })).toBe(false);
    expect(await retention.run(10)).toEqual({ cutoff: new Date('2025-12-05T12:00:00Z'), messages: 10, deadLetters: 0, held: 1 });
    clock = new Date('2027-12-05T12:00:00Z');
    await retention.handle({ type: 'customer.legal_hold.released', data: { customerId: 'c' } });
    expect((await retention.run()).held).toBe(0);
    expect(cutoffs.map((c) => c.toISOString())).toEqual(['2025-12-05T12:00:00.000Z', '2026-12-05T12:00:00.000Z']);
  });
});
