// The timers: drafts expire after their time, a customer is told once when their re-KYC falls due, an
// application stuck in processing is re-driven.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { KycService } from './kyc-service.js';
import { MemoryStore } from './testing/memory-store.js';
import type { Caller } from './use-case-context.js';
import {
  APPLICANT,
  checker,
  CONSENT,
  customer,
  eventTypesOf,
  maker,
  stranger,
  submitApplication,
  WATCHLIST,
} from './testing/use-case-fixtures.js';

describe('Housekeeping', () => {
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

  it('tells the customer once when their re-KYC falls due', async () => {
    const id = await submittedApplication();
    await service.runChecks(id);
    await service.recommend(maker, id, { recommendation: 'approve' });
    await service.approve(checker, id, {});
    expect(await service.announceReKycDue(30)).toBe(0);
    now = new Date('2036-11-01T00:00:00Z');
    expect(await service.announceReKycDue(30)).toBe(1);
    expect(await service.announceReKycDue(30)).toBe(0);
    expect(store.state.events.at(-1)).toMatchObject({
      type: 'customer.rekyc.due',
      subject: 'cust-1',
      data: { dueOn: '2036-11-26', applicationId: id },
    });
  });

  it('expires drafts after their time', async () => {
    const { id } = await service.createDraft(customer, CONSENT);
    expect(await service.expireStale()).toBe(0);
    now = new Date(now.getTime() + 31 * 86_400_000);
    expect(await service.expireStale()).toBe(1);
    expect((await service.get(customer, id)).state).toBe('expired');
    expect(eventTypes(id).at(-1)).toBe('kyc.application.expired');
  });

  it('when an application is stuck in processing, then it is re-driven through the checks, or referred to a maker when they fail again', async () => {
    const checked = await submittedApplication();
    const broken = await submittedApplication({ ...APPLICANT, pan: 'ABCPR9999Z' }, stranger);
    // Both were moved to processing and the service stopped before the checks ran.
    for (const id of [checked, broken]) await store.transaction((tx) => tx.updateApplication(id, { state: 'processing' }));
    expect(await service.redriveStuck(10 * 60_000)).toEqual({ done: 0, referred: 0 });
    now = new Date(now.getTime() + 20 * 60_000);
    // The vault no longer opens the second one's Aadhaar: its checks fail every time.
    const token = store.state.applicants.get(broken)?.aadhaar?.token as string;
    store.state.vault.delete(token);
    expect(await service.redriveStuck(10 * 60_000)).toEqual({ done: 1, referred: 1 });
    expect((await service.get(maker, checked)).state).toBe('pending_review');
    const referred = await service.get(maker, broken);
    expect(referred.state).toBe('pending_review');
    expect(referred.findings).toMatchObject({ manualReview: { reason: 'automatic_checks_failed', attempts: 1 } });
    expect(referred.history?.at(-1)).toMatchObject({ action: 'refer_to_review', fromState: 'processing', toState: 'pending_review' });
    expect(await service.redriveStuck(10 * 60_000)).toEqual({ done: 0, referred: 0 });
  });
});
