import { describe, expect, it } from '@jest/globals';
import type { ApplicationState } from './application-state.js';
import { dispositionOf, Erasure, erasureTransitionAllowed, yearsAfter, type ErasableApplication } from './erasure.js';
import { KycError } from './errors.js';
import { memoryErasureStore as memoryStore } from './testing/memory-erasure-store.js';

const now = new Date('2026-12-05T12:00:00Z');
const app = (id: string, state: ApplicationState, extra: Partial<ErasableApplication> = {}): ErasableApplication => ({
  id,
  state,
  erasedAt: null,
  retainUntil: null,
  ...extra,
});

const customer = { id: 'cust-1', role: 'customer' as const };

describe('what erasure does to an application', () => {
  it('when approved, then kept five years from the request (a KYC record), and a second request does not extend it', () => {
    expect(dispositionOf(app('a', 'approved'), now)).toEqual({
      applicationId: 'a',
      action: 'retain',
      until: new Date('2031-12-05T12:00:00Z'),
      reason: expect.stringContaining('RBI KYC Master Direction'),
    });
    const first = new Date('2030-01-01T00:00:00Z');
    expect(dispositionOf(app('a', 'approved', { retainUntil: first }), now)).toMatchObject({ until: first });
  });

  it('when rejected, expired or cancelled, then erased at once; when still open, then open; when erased, then done', () => {
    for (const state of ['rejected', 'expired', 'cancelled'] as const) expect(dispositionOf(app('a', state), now).action).toBe('erase');
    for (const state of ['draft', 'submitted', 'pending_review', 'resubmission_required'] as const)
      expect(dispositionOf(app('a', state), now).action).toBe('open');
    expect(dispositionOf(app('a', 'rejected', { erasedAt: now }), now).action).toBe('done');
  });

  it('when the request is on 29 February, then the retention ends on 1 March', () => {
    expect(yearsAfter(new Date('2028-02-29T00:00:00Z'), 5).toISOString()).toBe('2033-03-01T00:00:00.000Z');
  });

  it('the request state machine: received to completed or retained, retained to completed, nothing back', () => {
    expect(erasureTransitionAllowed('received', 'retained')).toBe(true);
    expect(erasureTransitionAllowed('retained', 'completed')).toBe(true);
    expect(erasureTransitionAllowed('completed', 'received')).toBe(false);
    expect(erasureTransitionAllowed('retained', 'received')).toBe(false);
  });
});

describe('Erasure', () => {
  it('when a customer asks, then rejected applications are erased, approved ones retained and marked, the audit says which without data', async () => {
    const m = memoryStore([
      { ...app('rej', 'rejected'), customerId: 'cust-1' },
      { ...app('ok', 'approved'), customerId: 'cust-1' },
      { ...app('other', 'rejected'), customerId: 'cust-2' },
    ]);
    const erasure = new Erasure(
      m.store,
      () => 'req-1',
      () => now,
    );
    const record = await erasure.request(customer, {});
    expect(record).toMatchObject({ id: 'req-1', customerId: 'cust-1', state: 'retained', erased: ['rej'], completedAt: null });
    expect(record.retained).toEqual([{ applicationId: 'ok', until: '2031-12-05T12:00:00.000Z', reason: expect.any(String) }]);
    expect(m.applications.find((a) => a.id === 'other')?.erasedAt).toBeNull();
    expect(m.audit.map((a) => [a.applicationId, a.action])).toEqual([
      ['rej', 'personal_data_erased'],
      ['ok', 'personal_data_retained'],
    ]);
    expect(await erasure.get(customer, 'req-1')).toBe(record);
  });

  it('when a request is made, then customer.erasure.requested is queued and the notification part is pending until its outcome arrives, once', async () => {
    const m = memoryStore([{ ...app('rej', 'rejected'), customerId: 'cust-1' }]);
    const erasure = new Erasure(
      m.store,
      () => 'req-1',
      () => now,
    );
    expect((await erasure.request(customer, {})).services).toEqual({ notification: { state: 'pending' } });
    expect(m.published).toEqual([
      expect.objectContaining({
        type: 'customer.erasure.requested',
        subject: 'cust-1',
        data: { erasureRequestId: 'req-1', customerId: 'cust-1' },
      }),
    ]);
    const outcome = {
      erasureRequestId: 'req-1',
      completedAt: '2026-12-05T12:00:01.000Z',
      erased: ['contacts'],
      kept: [{ record: 'message_log', reason: 'pseudonymised' }],
    };
    expect(await erasure.recordServiceOutcome('notification', { ...outcome, erased: ['no such class!'] })).toBe(false);
    expect(await erasure.recordServiceOutcome('notification', outcome)).toBe(true);
    expect(await erasure.recordServiceOutcome('notification', { ...outcome, erased: [] })).toBe(false);
    expect(m.requests.get('req-1')?.services).toEqual({
      notification: { state: 'completed', completedAt: outcome.completedAt, erased: ['contacts'], kept: outcome.kept },
    });
    expect(m.audit.at(-1)).toEqual({
      applicationId: 'rej',
      actorId: 'system',
      actorRole: 'system',
      action: 'personal_data_erased_by_notification',
      detail: { erasureRequestId: 'req-1', erased: ['contacts'], kept: outcome.kept },
      requestId: undefined,
    });
  });

  it('when the retention is over, then the housekeeping erases the kept record and completes the request', async () => {
    const m = memoryStore([{ ...app('ok', 'approved'), customerId: 'cust-1' }]);
    let clock = now;
    const erasure = new Erasure(
      m.store,
      () => 'req-1',
      () => clock,
    );
    await erasure.request(customer, undefined);
    expect(await erasure.eraseRetentionOver()).toBe(0);
    clock = new Date('2031-12-05T12:00:00Z');
    expect(await erasure.eraseRetentionOver()).toBe(1);
    expect(m.requests.get('req-1')).toMatchObject({ state: 'completed', completedAt: clock });
    expect(m.audit.at(-1)).toMatchObject({ applicationId: 'ok', action: 'personal_data_erased', detail: { reason: 'retention_over' } });
  });

  it('when an application is still open, then refused with its id and nothing erased', async () => {
    const m = memoryStore([
      { ...app('rej', 'rejected'), customerId: 'cust-1' },
      { ...app('open', 'pending_review'), customerId: 'cust-1' },
    ]);
    const erasure = new Erasure(
      m.store,
      () => 'req-1',
      () => now,
    );
    await expect(erasure.request(customer, {})).rejects.toMatchObject({ kind: 'invalid_state', message: expect.stringContaining('open') });
    expect(m.applications.every((a) => a.erasedAt === null)).toBe(true);
  });

  it('who may ask: the customer for themself, an admin for a named customer; not a maker, not for someone else', async () => {
    const erasure = new Erasure(
      memoryStore([]).store,
      () => 'req-1',
      () => now,
    );
    await expect(erasure.request(customer, { customerId: 'cust-2' })).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(erasure.request({ id: 'm', role: 'maker' }, { customerId: 'cust-1' })).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(erasure.request({ id: 'a', role: 'admin' }, {})).rejects.toBeInstanceOf(KycError);
    expect(await erasure.request({ id: 'a', role: 'admin' }, { customerId: 'cust-1' })).toMatchObject({
      customerId: 'cust-1',
      state: 'completed',
    });
    await expect(erasure.get({ id: 'cust-2', role: 'customer' }, 'req-1')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('when a rejected or cancelled application closed longer ago than the closed retention, then the sweep erases it; an approved one stays', async () => {
    const longAgo = new Date(now.getTime() - 200 * 86_400_000);
    const m = memoryStore([
      { ...app('old', 'rejected'), customerId: 'c', closedAt: longAgo },
      { ...app('recent', 'cancelled'), customerId: 'c', closedAt: new Date(now.getTime() - 10 * 86_400_000) },
      { ...app('kept', 'approved'), customerId: 'c', closedAt: longAgo },
    ]);
    const erasure = new Erasure(
      m.store,
      () => 'r',
      () => now,
    );
    expect(await erasure.eraseClosed(180)).toBe(1);
    expect(m.applications.filter((a) => a.erasedAt).map((a) => a.id)).toEqual(['old']);
    expect(m.audit).toEqual([
      expect.objectContaining({
        applicationId: 'old',
        action: 'personal_data_erased',
        detail: { reason: 'closed_retention_over', closedRetentionDays: 180 },
      }),
    ]);
  });

  it('when an admin places a legal hold, then a request is refused and audited nowhere; released, then it goes through; only an admin may', async () => {
    const m = memoryStore([{ ...app('rej', 'rejected'), customerId: 'cust-1' }]);
    const erasure = new Erasure(
      m.store,
      () => 'req-1',
      () => now,
    );
    const admin = { id: 'admin-1', role: 'admin' as const };
    await expect(erasure.placeHold(customer, 'cust-1', { reason: 'x' })).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(erasure.placeHold(admin, 'cust-1', { reason: ' ' })).rejects.toMatchObject({ kind: 'validation' });
    expect(await erasure.placeHold(admin, 'cust-1', { reason: 'court order 42' })).toMatchObject({
      customerId: 'cust-1',
      reason: 'court order 42',
    });
    await expect(erasure.request(customer, {})).rejects.toMatchObject({
      kind: 'invalid_state',
      message: expect.stringContaining('legal hold'),
    });
    expect(m.applications[0]?.erasedAt).toBeNull();
    await erasure.releaseHold(admin, 'cust-1');
    await expect(erasure.releaseHold(admin, 'cust-1')).rejects.toMatchObject({ kind: 'not_found' });
    expect((await erasure.request(customer, {})).erased).toEqual(['rej']);
    expect(m.audit.map((a) => a.action)).toEqual(['legal_hold_placed', 'legal_hold_released', 'personal_data_erased']);
    expect(m.published.map((e) => [e.type, e.subject])).toEqual([
      ['customer.legal_hold.placed', 'cust-1'],
      ['customer.legal_hold.released', 'cust-1'],
      ['customer.erasure.requested', 'cust-1'],
    ]);
  });
});
