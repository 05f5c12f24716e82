import { describe, expect, it } from '@jest/globals';
import type { ApplicationState } from './application-state.js';
import { Erasure, type ErasableApplication } from './erasure.js';
import { endOfDay, relationshipEndOf, retentionOnRelationshipEnd } from './relationship-end.js';
import { memoryErasureStore } from './testing/memory-erasure-store.js';

const now = new Date('2026-12-05T12:00:00Z');
const admin = { id: 'admin-1', role: 'admin' as const };
const approvedOn = new Date('2024-03-01T10:00:00Z');
const app = (id: string, state: ApplicationState, extra: Partial<ErasableApplication> = {}) => ({
  id,
  state,
  erasedAt: null,
  retainUntil: null,
  decidedAt: state === 'approved' ? approvedOn : null,
  customerId: 'cust-1',
  ...extra,
});

/** The use case over the memory store, with a clock the scenario moves. */
function world(applications: ReturnType<typeof app>[]) {
  const clock = { now };
  const memory = memoryErasureStore(applications, () => clock.now);
  const erasure = new Erasure(
    memory.store,
    () => 'req-1',
    () => clock.now,
  );
  return { ...memory, erasure, clock };
}

describe('the signal that a relationship ended', () => {
  it('when the body is well formed, then the day (00:00 UTC) and the reason', () => {
    expect(relationshipEndOf({ endedOn: '2026-11-30', reason: 'account_closed' }, now)).toEqual({
      endedOn: new Date('2026-11-30T00:00:00Z'),
      reason: 'account_closed',
    });
    // The bank's day may have begun east of UTC: tomorrow (UTC) is today in India after 18:30 UTC.
    expect(relationshipEndOf({ endedOn: '2026-12-06', reason: 'other' }, new Date('2026-12-05T19:00:00Z')).endedOn).toEqual(
      new Date('2026-12-06T00:00:00Z'),
    );
  });

  it('when the date is not a calendar date, in the future, or the reason is free text or unknown fields come, then a validation error naming the field', () => {
    const fieldsOf = (body: unknown) => {
      try {
        relationshipEndOf(body, now);
        return [];
      } catch (error) {
        return (error as { fieldErrors: { field: string }[] }).fieldErrors.map((e) => e.field);
      }
    };
    for (const endedOn of ['2026-02-30', '2026-13-01', '26-11-30', '2026-11-30T00:00:00Z', '0202-11-30', 20261130, null])
      expect(fieldsOf({ endedOn, reason: 'account_closed' })).toEqual(['endedOn']);
    expect(fieldsOf({ endedOn: '2026-12-07', reason: 'account_closed' })).toEqual(['endedOn']);
    expect(fieldsOf({ endedOn: '2026-11-30', reason: 'closed after the customer Ravi Kumar moved' })).toEqual(['reason']);
    expect(fieldsOf({ endedOn: '2026-11-30', reason: 'account_closed', customerId: 'cust-2' })).toEqual(['customerId']);
    expect(fieldsOf([])).toEqual(['body']);
    expect(fieldsOf(undefined)).toEqual(['body']);
    expect(fieldsOf({})).toEqual(['endedOn', 'reason']);
  });

  it('what it does to one application: approved ones of the relationship are kept, the earliest date wins, later relationships and other states are untouched', () => {
    const endedOn = new Date('2026-11-30T00:00:00Z');
    const until = new Date('2031-12-01T00:00:00Z');
    expect(retentionOnRelationshipEnd(app('a', 'approved'), endedOn, until)).toEqual({ applicationId: 'a', action: 'retain', until });
    // Approved on the day it ended: still that relationship's record.
    expect(retentionOnRelationshipEnd(app('a', 'approved', { decidedAt: new Date('2026-11-30T23:59:59Z') }), endedOn, until).action).toBe(
      'retain',
    );
    expect(retentionOnRelationshipEnd(app('a', 'approved', { decidedAt: new Date('2026-12-01T00:00:00Z') }), endedOn, until).action).toBe(
      'none',
    );
    const earlier = new Date('2030-01-01T00:00:00Z');
    expect(retentionOnRelationshipEnd(app('a', 'approved', { retainUntil: earlier }), endedOn, until)).toEqual({
      applicationId: 'a',
      action: 'unchanged',
      until: earlier,
    });
    expect(retentionOnRelationshipEnd(app('a', 'approved', { retainUntil: new Date('2032-01-01T00:00:00Z') }), endedOn, until).action).toBe(
      'retain',
    );
    for (const state of ['rejected', 'cancelled', 'draft', 'pending_review'] as const)
      expect(retentionOnRelationshipEnd(app('a', state), endedOn, until).action).toBe('none');
    expect(retentionOnRelationshipEnd(app('a', 'approved', { erasedAt: now }), endedOn, until).action).toBe('none');
  });

  it('the five years count from the end of the day it ended (29 February: 1 March)', () => {
    expect(endOfDay(new Date('2028-02-28T00:00:00Z')).toISOString()).toBe('2028-02-29T00:00:00.000Z');
  });
});

describe('Erasure.endRelationship through time', () => {
  it('when the end is signalled, then the approved application is kept five years, audited, and erased by the sweep when that time is up', async () => {
    const w = world([app('ok', 'approved'), app('rej', 'rejected')]);
    const record = await w.erasure.endRelationship(admin, 'cust-1', { endedOn: '2026-11-30', reason: 'account_closed' });
    expect(record).toEqual({
      customerId: 'cust-1',
      endedOn: '2026-11-30',
      reason: 'account_closed',
      applications: [{ applicationId: 'ok', retainUntil: '2031-12-01T00:00:00.000Z', changed: true }],
    });
    expect(w.audit).toEqual([
      {
        applicationId: 'ok',
        actorId: 'admin-1',
        actorRole: 'admin',
        action: 'relationship_ended',
        detail: { endedOn: '2026-11-30', reason: 'account_closed', retainUntil: '2031-12-01T00:00:00.000Z' },
        requestId: undefined,
      },
    ]);

    w.clock.now = new Date('2031-11-30T23:59:59Z');
    expect(await w.erasure.eraseRetentionOver()).toBe(0);
    w.clock.now = new Date('2031-12-01T00:00:00Z');
    expect(await w.erasure.eraseRetentionOver()).toBe(1);
    expect(w.applications.find((a) => a.id === 'ok')).toMatchObject({ erasedAt: w.clock.now, retainUntil: null });
    expect(w.audit.at(-1)).toMatchObject({ applicationId: 'ok', action: 'personal_data_erased', detail: { reason: 'retention_over' } });
  });

  it('when a legal hold stands, then the clock is set but the sweep passes the customer by until the release', async () => {
    const w = world([app('ok', 'approved')]);
    await w.erasure.placeHold(admin, 'cust-1', { reason: 'court order 42' });
    expect((await w.erasure.endRelationship(admin, 'cust-1', { endedOn: '2026-11-30', reason: 'account_closed' })).applications).toEqual([
      { applicationId: 'ok', retainUntil: '2031-12-01T00:00:00.000Z', changed: true },
    ]);
    w.clock.now = new Date('2033-01-01T00:00:00Z');
    expect(await w.erasure.eraseRetentionOver()).toBe(0);
    await w.erasure.releaseHold(admin, 'cust-1');
    expect(await w.erasure.eraseRetentionOver()).toBe(1);
  });

  it('when a second signal comes, then a repeat or a later day changes and audits nothing; an earlier day brings the date forward', async () => {
    const w = world([app('ok', 'approved')]);
    await w.erasure.endRelationship(admin, 'cust-1', { endedOn: '2026-11-30', reason: 'account_closed' });
    const repeat = await w.erasure.endRelationship(admin, 'cust-1', { endedOn: '2026-11-30', reason: 'account_closed' });
    expect(repeat.applications).toEqual([{ applicationId: 'ok', retainUntil: '2031-12-01T00:00:00.000Z', changed: false }]);
    const later = await w.erasure.endRelationship(admin, 'cust-1', { endedOn: '2026-12-04', reason: 'other' });
    expect(later.applications).toEqual([{ applicationId: 'ok', retainUntil: '2031-12-01T00:00:00.000Z', changed: false }]);
    expect(w.audit).toHaveLength(1);
    const earlier = await w.erasure.endRelationship(admin, 'cust-1', { endedOn: '2026-10-31', reason: 'account_closed' });
    expect(earlier.applications).toEqual([{ applicationId: 'ok', retainUntil: '2031-11-01T00:00:00.000Z', changed: true }]);
    expect(w.audit).toHaveLength(2);
  });

  it('when the customer asked for erasure before, then the earlier of the two dates stands', async () => {
    const w = world([app('ok', 'approved')]);
    expect((await w.erasure.request({ id: 'cust-1', role: 'customer' }, {})).retained[0]?.until).toBe('2031-12-05T12:00:00.000Z');
    const record = await w.erasure.endRelationship(admin, 'cust-1', { endedOn: '2026-12-05', reason: 'account_closed' });
    expect(record.applications).toEqual([{ applicationId: 'ok', retainUntil: '2031-12-05T12:00:00.000Z', changed: false }]);
  });

  it('when the customer applies again after the end, then the new approval is a new relationship: the old clock runs on, the new application has none', async () => {
    const w = world([app('old', 'approved')]);
    await w.erasure.endRelationship(admin, 'cust-1', { endedOn: '2026-01-15', reason: 'account_closed' });
    w.applications.push(app('new', 'approved', { decidedAt: new Date('2026-06-01T09:00:00Z') }));
    // A late copy of the first signal leaves the new relationship alone.
    const late = await w.erasure.endRelationship(admin, 'cust-1', { endedOn: '2026-01-15', reason: 'account_closed' });
    expect(late.applications.map((a) => a.applicationId)).toEqual(['old']);
    expect(w.applications.find((a) => a.id === 'new')?.retainUntil).toBeNull();
    w.clock.now = new Date('2031-01-16T00:00:00Z');
    expect(await w.erasure.eraseRetentionOver()).toBe(1);
    expect(w.applications.map((a) => [a.id, a.erasedAt !== null])).toEqual([
      ['old', true],
      ['new', false],
    ]);
  });

  it('when the customer has no application, then not_found; with none approved (or all erased), then invalid_state and nothing changed', async () => {
    const w = world([app('rej', 'rejected'), app('gone', 'approved', { erasedAt: now }), app('open', 'pending_review')]);
    const signal = { endedOn: '2026-11-30', reason: 'account_closed' };
    await expect(w.erasure.endRelationship(admin, 'cust-nobody', signal)).rejects.toMatchObject({ kind: 'not_found' });
    await expect(w.erasure.endRelationship(admin, 'cust-1', signal)).rejects.toMatchObject({
      kind: 'invalid_state',
      message: expect.stringContaining('no approved application'),
    });
    expect(w.applications.every((a) => a.retainUntil === null)).toBe(true);
    expect(w.audit).toEqual([]);
  });

  it('who may signal: an admin or the core banking event (system); not the customer, a maker or a checker; a malformed customer id is refused', async () => {
    const w = world([app('ok', 'approved')]);
    const signal = { endedOn: '2026-11-30', reason: 'account_closed' };
    for (const role of ['customer', 'maker', 'checker'] as const)
      await expect(w.erasure.endRelationship({ id: 'cust-1', role }, 'cust-1', signal)).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(w.erasure.endRelationship(admin, "cust-1' OR 1=1", signal)).rejects.toMatchObject({ kind: 'validation' });
    await expect(w.erasure.endRelationship({ id: 'system', role: 'system' }, '', signal)).rejects.toMatchObject({ kind: 'validation' });
    expect(w.audit).toEqual([]);
    expect((await w.erasure.endRelationship({ id: 'system', role: 'system' }, 'cust-1', signal)).applications[0]?.changed).toBe(true);
    expect(w.audit[0]).toMatchObject({ actorId: 'system', actorRole: 'system' });
  });
});
