// The maker and the checker: four eyes, no review of one's own application, the queue by role, and a
// refusal leaves nothing behind.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { KycService } from './kyc-service.js';
import { MemoryStore } from './testing/memory-store.js';
import type { Caller } from './use-case-context.js';
import { admin, APPLICANT, checker, customer, maker, refusal, submitApplication, WATCHLIST } from './testing/use-case-fixtures.js';

describe('StaffReview', () => {
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

  it('refuses the maker deciding on their own recommendation and leaves nothing behind', async () => {
    const id = await submittedApplication();
    await service.runChecks(id);
    await service.recommend(maker, id, { recommendation: 'approve' });
    const before = store.state;
    expect(await refusal(service.approve({ id: 'maker-1', role: 'checker' }, id, {}))).toBe('forbidden');
    expect(await refusal(service.reject({ id: 'maker-1', role: 'checker' }, id, { reason: 'x' }))).toBe('forbidden');
    expect(store.state).toBe(before);
    expect(await refusal(service.approve(maker, id, {}))).toBe('forbidden');
  });

  it('sends a returned application back to the makers and a resubmission back to the applicant', async () => {
    const id = await submittedApplication();
    await service.runChecks(id);
    await service.requestResubmission(maker, id, { reason: 'PAN ABCPR1234F scan unreadable' });
    expect(JSON.stringify(store.state.events.at(-1))).not.toContain('ABCPR1234F');
    expect((await service.get(customer, id)).state).toBe('resubmission_required');
    await service.submit(customer, id);
    await service.runChecks(id);
    await service.recommend(maker, id, { recommendation: 'reject' });
    expect((await service.returnToMaker(checker, id, { reason: 'look again' })).state).toBe('pending_review');
    await service.recommend({ id: 'maker-2', role: 'maker' }, id, { recommendation: 'approve' });
    expect((await service.approve(checker, id, {})).state).toBe('approved');
  });

  it('when a member of staff is the applicant, then they can neither recommend, ask for documents nor decide on it', async () => {
    // The same user id as customer and, later, as staff (a role change keeps the id).
    const staffApplicant: Caller = { id: 'user-9', role: 'customer' };
    const id = await submittedApplication(APPLICANT, staffApplicant);
    await service.runChecks(id);
    const before = store.state;
    expect(await refusal(service.recommend({ id: 'user-9', role: 'maker' }, id, { recommendation: 'approve' }))).toBe('forbidden');
    expect(await refusal(service.requestResubmission({ id: 'user-9', role: 'maker' }, id, { reason: 'x' }))).toBe('forbidden');
    expect(store.state).toBe(before);
    await service.recommend(maker, id, { recommendation: 'approve' });
    for (const decide of [service.approve.bind(service), service.reject.bind(service), service.returnToMaker.bind(service)]) {
      expect(await refusal(decide({ id: 'user-9', role: 'checker' }, id, { reason: 'mine' }))).toBe('forbidden');
    }
    expect((await service.approve(checker, id, {})).state).toBe('approved');
  });

  it('orders the review queue by role', async () => {
    const id = await submittedApplication();
    await service.runChecks(id);
    expect((await service.reviewQueue(maker, undefined, 10)).map((q) => q.id)).toEqual([id]);
    expect(await service.reviewQueue(checker, undefined, 10)).toEqual([]);
    expect((await service.reviewQueue(admin, undefined, 10)).map((q) => q.state)).toEqual(['pending_review']);
  });
});
