// The facade end to end against the in-memory store: one application from draft to approved through
// every part, with its events, audit records and outcomes.
import { describe, expect, it } from '@jest/globals';
import { checker, maker, useCaseBench } from './testing/use-case-fixtures.js';

describe('KycService', () => {
  const bench = useCaseBench();

  it('takes an application from draft to approved with four eyes, recording every step', async () => {
    const id = await bench.submittedApplication();
    expect(await bench.service.runChecks(id)).toBe('done');
    expect((await bench.service.get(maker, id)).state).toBe('pending_review');
    await bench.service.recommend(maker, id, { recommendation: 'approve' });
    const approved = await bench.service.approve(checker, id, {});
    expect(approved).toMatchObject({
      state: 'approved',
      risk: { category: 'low', reKycDueOn: '2036-11-26' },
      review: { makerId: 'maker-1', checkerId: 'checker-1' },
    });
    expect(bench.eventTypes(id)).toEqual([
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
    expect(bench.store.state.events.filter((e) => e.type === 'customer.risk_category.changed')).toEqual([
      expect.objectContaining({ subject: 'cust-1', data: expect.objectContaining({ previous: null, current: 'low' }) }),
    ]);
    expect(bench.store.state.audit.map((a) => a.action)).toEqual([
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
    expect(bench.outcomes).toEqual(['created', 'submitted', 'checked', 'approved']);
  });
});
