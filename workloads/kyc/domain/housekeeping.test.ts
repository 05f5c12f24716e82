// The timers: drafts expire after their time, a customer is told once when their re-KYC falls due, an
// application stuck in processing is re-driven.
import { describe, expect, it } from '@jest/globals';
import { APPLICANT, checker, CONSENT, customer, maker, stranger, useCaseBench } from './testing/use-case-fixtures.js';

describe('Housekeeping', () => {
  const bench = useCaseBench();

  it('tells the customer once when their re-KYC falls due', async () => {
    const id = await bench.submittedApplication();
    await bench.service.runChecks(id);
    await bench.service.recommend(maker, id, { recommendation: 'approve' });
    await bench.service.approve(checker, id, {});
    expect(await bench.service.announceReKycDue(30)).toBe(0);
    bench.now = new Date('2036-11-01T00:00:00Z');
    expect(await bench.service.announceReKycDue(30)).toBe(1);
    expect(await bench.service.announceReKycDue(30)).toBe(0);
    expect(bench.store.state.events.at(-1)).toMatchObject({
      type: 'customer.rekyc.due',
      subject: 'cust-1',
      data: { dueOn: '2036-11-26', applicationId: id },
    });
  });

  it('expires drafts after their time', async () => {
    const { id } = await bench.service.createDraft(customer, CONSENT);
    expect(await bench.service.expireStale()).toBe(0);
    bench.now = new Date(bench.now.getTime() + 31 * 86_400_000);
    expect(await bench.service.expireStale()).toBe(1);
    expect((await bench.service.get(customer, id)).state).toBe('expired');
    expect(bench.eventTypes(id).at(-1)).toBe('kyc.application.expired');
  });

  it('when an application is stuck in processing, then it is re-driven through the checks, or referred to a maker when they fail again', async () => {
    const checked = await bench.submittedApplication();
    const broken = await bench.submittedApplication({ ...APPLICANT, pan: 'ABCPR9999Z' }, stranger);
    // Both were moved to processing and the service stopped before the checks ran.
    for (const id of [checked, broken]) await bench.store.transaction((tx) => tx.updateApplication(id, { state: 'processing' }));
    expect(await bench.service.redriveStuck(10 * 60_000)).toEqual({ done: 0, referred: 0 });
    bench.now = new Date(bench.now.getTime() + 20 * 60_000);
    // The vault no longer opens the second one's Aadhaar: its checks fail every time.
    const token = bench.store.state.applicants.get(broken)?.aadhaar?.token as string;
    bench.store.state.vault.delete(token);
    expect(await bench.service.redriveStuck(10 * 60_000)).toEqual({ done: 1, referred: 1 });
    expect((await bench.service.get(maker, checked)).state).toBe('pending_review');
    const referred = await bench.service.get(maker, broken);
    expect(referred.state).toBe('pending_review');
    expect(referred.findings).toMatchObject({ manualReview: { reason: 'automatic_checks_failed', attempts: 1 } });
    expect(referred.history?.at(-1)).toMatchObject({ action: 'refer_to_review', fromState: 'processing', toState: 'pending_review' });
    expect(await bench.service.redriveStuck(10 * 60_000)).toEqual({ done: 0, referred: 0 });
  });
});
