// The automatic checks: run once per submission, a sanctioned applicant rejected, a shared Aadhaar
// flagged, and an application whose checks keep failing referred to a maker.
import { describe, expect, it } from '@jest/globals';
import { KycService } from './kyc-service.js';
import type { ParkedApplications } from './ports.js';
import { APPLICANT, maker, stranger, useCaseBench, WATCHLIST } from './testing/use-case-fixtures.js';

describe('AutomaticProcessing', () => {
  const bench = useCaseBench();

  it('runs the checks once even when the submitted event arrives twice', async () => {
    const id = await bench.submittedApplication();
    expect(await bench.service.runChecks(id)).toBe('done');
    expect(await bench.service.runChecks(id)).toBe('skipped');
    expect(bench.eventTypes(id).filter((t) => t === 'kyc.application.processing_started')).toHaveLength(1);
    expect(await bench.service.runChecks('no-such-id')).toBe('skipped');
  });

  it('rejects a sanctioned applicant automatically', async () => {
    const id = await bench.submittedApplication({ ...APPLICANT, name: 'Salim Memonwala', pan: 'ABCPM1234F' });
    await bench.service.runChecks(id);
    const view = await bench.service.get(maker, id);
    expect(view.state).toBe('rejected');
    expect(bench.eventTypes(id)).toEqual(
      expect.arrayContaining(['kyc.check.failed', 'kyc.screening.hit_found', 'kyc.application.rejected']),
    );
    expect(bench.outcomes).toContain('rejected');
  });

  it('flags another customer using the same Aadhaar', async () => {
    const first = await bench.submittedApplication();
    await bench.service.runChecks(first);
    const second = await bench.submittedApplication({ ...APPLICANT, pan: 'ABCPR9999Z' }, stranger);
    await bench.service.runChecks(second);
    const view = await bench.service.get(maker, second);
    expect(view.state).toBe('pending_review');
    expect(view.risk.category).toBe('medium');
  });

  it('when the checks keep failing, then a submitted application goes to the makers with the reason, and a decided one is left alone', async () => {
    const id = await bench.submittedApplication();
    const reason = { code: 'automatic_checks_failed' as const, attempts: 5, error: 'Error: PAN ABCPR1234F did not decrypt' };
    expect(await bench.service.referForManualReview(id, reason)).toBe('done');
    const view = await bench.service.get(maker, id);
    expect(view.state).toBe('pending_review');
    expect(view.findings).toMatchObject({ checks: [], manualReview: { reason: 'automatic_checks_failed', attempts: 5 } });
    expect(JSON.stringify(view.findings)).not.toContain('ABCPR1234F');
    expect(bench.eventTypes(id).slice(-2)).toEqual(['kyc.application.processing_started', 'kyc.application.review_assigned']);
    expect(await bench.service.referForManualReview(id, reason)).toBe('skipped');
    expect(await bench.service.referForManualReview('no-such-id', reason)).toBe('skipped');
  });

  it('when sanctions screening is switched off, then a sanctioned applicant is not screened or decided but referred to the makers with the reason', async () => {
    let screeningOn = true;
    bench.service = new KycService({
      store: bench.store,
      watchlist: WATCHLIST,
      clock: () => bench.now,
      features: { isOn: (feature) => feature !== 'sanctions-screening' || screeningOn },
    });
    const id = await bench.submittedApplication({ ...APPLICANT, name: 'Salim Memonwala', pan: 'ABCPM1234F' });
    screeningOn = false;
    expect(await bench.service.runChecks(id)).toBe('done');
    const view = await bench.service.get(maker, id);
    expect(view.state).toBe('pending_review');
    expect(view.screeningBand).toBeNull();
    expect(view.findings).toMatchObject({ manualReview: { reason: 'sanctions_screening_off' }, screening: null });
    expect(bench.eventTypes(id)).not.toContain('kyc.screening.hit_found');
    const referral = bench.store.state.events.filter((e) => e.subject === id).at(-1);
    expect(referral).toMatchObject({
      type: 'kyc.application.review_assigned',
      data: { reason: 'sanctions_screening_off', queue: 'maker' },
    });
    expect(view.history?.at(-1)).toMatchObject({ action: 'refer_to_review' });
    // Back on, the next application is screened and decided as before.
    screeningOn = true;
    const next = await bench.submittedApplication({ ...APPLICANT, name: 'Salim Memonwala', pan: 'ABCPM1234F' }, stranger);
    await bench.service.runChecks(next);
    expect((await bench.service.get(maker, next)).state).toBe('rejected');
  });

  it('when screening is unavailable, then the submitted application stays accepted and parked, nothing is decided, and a person gets it with the reason', async () => {
    // A list that cannot be read: what a screening provider that is down looks like to the checks.
    class UnavailableList extends Array<(typeof WATCHLIST)[number]> {
      override [Symbol.iterator](): ArrayIterator<(typeof WATCHLIST)[number]> {
        throw new Error('screening unavailable');
      }
    }
    bench.service = new KycService({ store: bench.store, watchlist: new UnavailableList(), clock: () => bench.now });
    const id = await bench.submittedApplication();
    await expect(bench.service.runChecks(id)).rejects.toThrow('screening unavailable');
    // The checks' transaction rolled back whole: no finding, no decision, no check event.
    const parked = await bench.service.get(maker, id);
    expect(parked.state).toBe('processing');
    expect(bench.eventTypes(id)).not.toEqual(expect.arrayContaining(['kyc.check.completed']));
    expect(bench.eventTypes(id).filter((t) => /approved|rejected|checks_passed/.test(t))).toEqual([]);
    // The consumer gives up after its attempts and refers it (checks-consumer.ts): a maker, then a checker, decide.
    expect(
      await bench.service.referForManualReview(id, { code: 'automatic_checks_failed', attempts: 5, error: 'Error: screening unavailable' }),
    ).toBe('done');
    const referred = await bench.service.get(maker, id);
    expect(referred.state).toBe('pending_review');
    expect(referred.findings).toMatchObject({ manualReview: { reason: 'automatic_checks_failed', error: 'Error: screening unavailable' } });
    expect(bench.eventTypes(id).filter((t) => /approved/.test(t))).toEqual([]);
  });

  describe('with parked PII (the KMS was away when it was written)', () => {
    /** The parked applications port over sets: `parked` holds what a test marks as sealed under a parked key. */
    const parkedApplications = () => {
      const parked = new Set<string>();
      const held = new Set<string>();
      const port: ParkedApplications = {
        piiParked: (id) => Promise.resolve(parked.has(id)),
        hold: (id) => Promise.resolve(!held.has(id) && Boolean(held.add(id))),
        releasable: (limit) => Promise.resolve([...held].filter((id) => !parked.has(id)).slice(0, limit)),
        release: (id) => Promise.resolve(held.delete(id)),
      };
      const service = new KycService({ store: bench.store, watchlist: WATCHLIST, clock: () => bench.now, parked: port });
      return { parked, held, service };
    };
    const audited = (id: string) => bench.store.state.audit.filter((a) => a.applicationId === id).map((a) => a.action);

    it('when a submitted application is parked, then nothing is checked or decided, and once unparked housekeeping releases it to its checks, once', async () => {
      const { parked, held, service } = parkedApplications();
      const id = await bench.submittedApplication();
      parked.add(id);
      expect(await service.runChecks(id)).toBe('skipped');
      expect(await service.runChecks(id)).toBe('skipped');
      expect((await service.get(maker, id)).state).toBe('submitted');
      expect(bench.eventTypes(id)).not.toContain('kyc.application.processing_started');
      expect([...held]).toEqual([id]);
      expect(audited(id).filter((a) => a === 'checks_parked')).toHaveLength(1);
      expect(await service.releaseUnparked()).toEqual({ released: 0, failed: 0 });
      expect((await service.get(maker, id)).state).toBe('submitted');

      parked.delete(id);
      expect(await service.releaseUnparked()).toEqual({ released: 1, failed: 0 });
      expect((await service.get(maker, id)).state).toBe('pending_review');
      expect(audited(id).filter((a) => a === 'checks_released')).toHaveLength(1);
      expect(await service.releaseUnparked()).toEqual({ released: 0, failed: 0 });
      expect(bench.eventTypes(id).filter((t) => t === 'kyc.application.processing_started')).toHaveLength(1);
    });

    it('when a parked application was interrupted in processing, then it is not decided while parked either', async () => {
      const { parked, service } = parkedApplications();
      const id = await bench.submittedApplication();
      await bench.store.transaction((tx) => tx.updateApplication(id, { state: 'processing' }));
      parked.add(id);
      expect(await service.runChecks(id)).toBe('skipped');
      expect((await service.get(maker, id)).state).toBe('processing');
    });

    it('when the checks fail after the release, then the hold stays for the next pass', async () => {
      const { held, service } = parkedApplications();
      const id = await bench.submittedApplication();
      held.add(id);
      bench.store.transaction = () => Promise.reject(new Error('connection terminated'));
      expect(await service.releaseUnparked()).toEqual({ released: 0, failed: 1 });
      expect([...held]).toEqual([id]);
    });
  });
});
