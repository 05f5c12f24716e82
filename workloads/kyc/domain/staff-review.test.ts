// The maker and the checker: four eyes, no review of one's own application, the queue by role, and a
// refusal leaves nothing behind.
import { describe, expect, it } from '@jest/globals';
import type { Caller } from './use-case-context.js';
import { admin, APPLICANT, checker, customer, maker, refusal, useCaseBench } from './testing/use-case-fixtures.js';

describe('StaffReview', () => {
  const bench = useCaseBench();

  it('refuses the maker deciding on their own recommendation and leaves nothing behind', async () => {
    const id = await bench.submittedApplication();
    await bench.service.runChecks(id);
    await bench.service.recommend(maker, id, { recommendation: 'approve' });
    const before = bench.store.state;
    expect(await refusal(bench.service.approve({ id: 'maker-1', role: 'checker' }, id, {}))).toBe('forbidden');
    expect(await refusal(bench.service.reject({ id: 'maker-1', role: 'checker' }, id, { reason: 'x' }))).toBe('forbidden');
    expect(bench.store.state).toBe(before);
    expect(await refusal(bench.service.approve(maker, id, {}))).toBe('forbidden');
  });

  it('sends a returned application back to the makers and a resubmission back to the applicant', async () => {
    const id = await bench.submittedApplication();
    await bench.service.runChecks(id);
    await bench.service.requestResubmission(maker, id, { reason: 'PAN ABCPR1234F scan unreadable' });
    expect(JSON.stringify(bench.store.state.events.at(-1))).not.toContain('ABCPR1234F');
    expect((await bench.service.get(customer, id)).state).toBe('resubmission_required');
    await bench.service.submit(customer, id);
    await bench.service.runChecks(id);
    await bench.service.recommend(maker, id, { recommendation: 'reject' });
    expect((await bench.service.returnToMaker(checker, id, { reason: 'look again' })).state).toBe('pending_review');
    await bench.service.recommend({ id: 'maker-2', role: 'maker' }, id, { recommendation: 'approve' });
    expect((await bench.service.approve(checker, id, {})).state).toBe('approved');
  });

  it('when a member of staff is the applicant, then they can neither recommend, ask for documents nor decide on it', async () => {
    // The same user id as customer and, later, as staff (a role change keeps the id).
    const staffApplicant: Caller = { id: 'user-9', role: 'customer' };
    const id = await bench.submittedApplication(APPLICANT, staffApplicant);
    await bench.service.runChecks(id);
    const before = bench.store.state;
    expect(await refusal(bench.service.recommend({ id: 'user-9', role: 'maker' }, id, { recommendation: 'approve' }))).toBe('forbidden');
    expect(await refusal(bench.service.requestResubmission({ id: 'user-9', role: 'maker' }, id, { reason: 'x' }))).toBe('forbidden');
    expect(bench.store.state).toBe(before);
    await bench.service.recommend(maker, id, { recommendation: 'approve' });
    for (const decide of [
      bench.service.approve.bind(bench.service),
      bench.service.reject.bind(bench.service),
      bench.service.returnToMaker.bind(bench.service),
    ]) {
      expect(await refusal(decide({ id: 'user-9', role: 'checker' }, id, { reason: 'mine' }))).toBe('forbidden');
    }
    expect((await bench.service.approve(checker, id, {})).state).toBe('approved');
  });

  it('orders the review queue by role', async () => {
    const id = await bench.submittedApplication();
    await bench.service.runChecks(id);
    expect((await bench.service.reviewQueue(maker, undefined, 10)).map((q) => q.id)).toEqual([id]);
    expect(await bench.service.reviewQueue(checker, undefined, 10)).toEqual([]);
    expect((await bench.service.reviewQueue(admin, undefined, 10)).map((q) => q.state)).toEqual(['pending_review']);
  });

  it('pages the review queue: a next cursor while more wait, none on the last page', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await bench.submittedApplication();
      await bench.service.runChecks(id);
      ids.push(id);
    }
    const all = (await bench.service.reviewQueue(maker, undefined, 10)).map((q) => q.id);
    expect([...all].sort()).toEqual([...ids].sort());
    const first = await bench.service.reviewQueuePage(maker, undefined, 2);
    expect([first.items.map((q) => q.id), first.next]).toEqual([all.slice(0, 2), all[1]]);
    const second = await bench.service.reviewQueuePage(maker, undefined, 2, first.next);
    expect([second.items.map((q) => q.id), second.next]).toEqual([all.slice(2), undefined]);
    expect(await bench.service.reviewQueuePage(maker, undefined, 3)).toEqual({ items: expect.any(Array) });
  });
});
