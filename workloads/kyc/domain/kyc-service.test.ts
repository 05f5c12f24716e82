// The facade end to end against the in-memory store: one application from draft to approved through
// every part, with its events, audit records and outcomes.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { KycService } from './kyc-service.js';
import { MemoryStore } from './testing/memory-store.js';
import type { Caller } from './use-case-context.js';
import { checker, eventTypesOf, maker, submitApplication, WATCHLIST } from './testing/use-case-fixtures.js';

describe('KycService', () => {
  let now: Date;
  let store: MemoryStore;
  let service: KycService;
  const outcomes: string[] = [];

  beforeEach(() => {
    now = new Date('2026-11-26T10:00:00Z');
    store = new MemoryStore(() => now);
    outcomes.length = 0;
    service = new KycService({ store, watchlist: WATCHLIST, clock: () => now, onOutcome: (o) => outcomes.push(o) });
  });

  const submittedApplication = (applicant?: Record<string, unknown>, owner?: Caller): Promise<string> =>
    submitApplication(service, applicant, owner);
  const eventTypes = (id: string): string[] => eventTypesOf(store, id);

  it('takes an application from draft to approved with four eyes, recording every step', async () => {
    const id = await submittedApplication();
    expect(await service.runChecks(id)).toBe('done');
    expect((await service.get(maker, id)).state).toBe('pending_review');
    await service.recommend(maker, id, { recommendation: 'approve' });
    const approved = await service.approve(checker, id, {});
    expect(approved).toMatchObject({
      state: 'approved',
      risk: { category: 'low', reKycDueOn: '2036-11-26' },
      review: { makerId: 'maker-1', checkerId: 'checker-1' },
    });
    expect(eventTypes(id)).toEqual([
      'kyc.application.created',
      'consent.granted',
      'kyc.document.uploaded',
      'kyc.document.uploaded',
      'kyc.application.submitted',
      'kyc.application.processing_started',
      ...Array<string>(7).fill('kyc.check.completed'),
      'kyc.application.review_assigned',
      'kyc.application.recommended',
      'kyc.application.approved',
    ]);
    expect(store.state.events.filter((e) => e.type === 'customer.risk_category.changed')).toEqual([
      expect.objectContaining({ subject: 'cust-1', data: expect.objectContaining({ previous: null, current: 'low' }) }),
    ]);
    expect(store.state.audit.map((a) => a.action)).toEqual([
      'create',
      'update_applicant',
      'upload_document',
      'upload_document',
      'submit',
      'start_processing',
      'pass_checks',
      'read_application',
      'recommend',
      'approve',
    ]);
    expect(outcomes).toEqual(['created', 'submitted', 'checked', 'approved']);
  });
});
