// The applicant's side: only the owner changes an application, submission names what is missing, cancel
// and consent withdrawal, the cap on open drafts.
import { describe, expect, it } from '@jest/globals';
import { KycError } from './errors.js';
import { KycService } from './kyc-service.js';
import type { KycFeature } from './ports.js';
import {
  admin,
  APPLICANT,
  CONSENT,
  customer,
  maker,
  PAN_CARD,
  PDF,
  refusal,
  stranger,
  useCaseBench,
  WATCHLIST,
} from './testing/use-case-fixtures.js';

describe('Applications', () => {
  const bench = useCaseBench();
  /** A service over the bench's store with every feature on but those in `off`. */
  const switchable = (off: ReadonlySet<KycFeature>): KycService =>
    new KycService({
      store: bench.store,
      watchlist: WATCHLIST,
      clock: () => bench.now,
      features: { isOn: (feature) => !off.has(feature) },
    });

  it('lets only the owner change an application, hides it from other customers, and refuses staff', async () => {
    const { id } = await bench.service.createDraft(customer, CONSENT);
    expect(await refusal(bench.service.get(stranger, id))).toBe('not_found');
    expect(await refusal(bench.service.updateApplicant(stranger, id, APPLICANT))).toBe('not_found');
    expect(await refusal(bench.service.updateApplicant(maker, id, APPLICANT))).toBe('forbidden');
    expect(await refusal(bench.service.createDraft(maker, CONSENT))).toBe('forbidden');
    expect(await refusal(bench.service.cancel(maker, id))).toBe('forbidden');
    expect(await refusal(bench.service.reviewQueue(customer, undefined, 10))).toBe('forbidden');
    expect((await bench.service.get(maker, id)).history).toHaveLength(1);
    expect((await bench.service.get(customer, id)).history).toBeUndefined();
  });

  it('names every missing piece when submitting too early', async () => {
    const { id } = await bench.service.createDraft(customer, CONSENT);
    try {
      await bench.service.submit(customer, id);
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(KycError);
      expect((error as KycError).fieldErrors.map((e) => e.field).sort()).toEqual([
        'aadhaar',
        'address',
        'dateOfBirth',
        'documents',
        'documents',
        'name',
        'pan',
      ]);
    }
  });

  it('cancels open applications once, by the owner or an admin', async () => {
    const a = (await bench.service.createDraft(customer, CONSENT)).id;
    expect((await bench.service.cancel(customer, a)).state).toBe('cancelled');
    expect(await refusal(bench.service.cancel(customer, a))).toBe('invalid_state');
    const b = await bench.submittedApplication();
    expect((await bench.service.cancel(admin, b)).state).toBe('cancelled');
    expect(await bench.service.runChecks(b)).toBe('skipped');
  });

  it('cancels an open application when the applicant withdraws consent, and keeps the records', async () => {
    const id = await bench.submittedApplication();
    const view = await bench.service.withdrawConsent(customer, id);
    expect(view.state).toBe('cancelled');
    expect(view.consents[0]?.withdrawnAt).not.toBeNull();
    expect(bench.eventTypes(id).slice(-2)).toEqual(['consent.withdrawn', 'kyc.application.cancelled']);
    expect(await refusal(bench.service.withdrawConsent(customer, id))).toBe('invalid_state');
    expect(await refusal(bench.service.withdrawConsent(stranger, id))).toBe('not_found');
    expect(bench.store.state.applicants.has(id)).toBe(true);
  });

  it('when a customer holds 5 open drafts, then a sixth is refused until one is submitted or cancelled', async () => {
    const drafts = [];
    for (let i = 0; i < 5; i++) drafts.push((await bench.service.createDraft(customer, CONSENT)).id);
    const before = bench.store.state;
    expect(await refusal(bench.service.createDraft(customer, CONSENT))).toBe('limit_reached');
    expect(bench.store.state).toBe(before);
    // Another customer has a cap of their own.
    expect((await bench.service.createDraft(stranger, CONSENT)).state).toBe('draft');
    await bench.service.cancel(customer, drafts[0] as string);
    expect((await bench.service.createDraft(customer, CONSENT)).state).toBe('draft');
    const capped = new KycService({ store: bench.store, watchlist: WATCHLIST, clock: () => bench.now, maxOpenDrafts: 1 });
    expect(await refusal(capped.createDraft(stranger, CONSENT))).toBe('limit_reached');
  });

  it('when new applications are switched off, then a new draft is refused as paused while an open draft is still completed and submitted', async () => {
    const off = new Set<KycFeature>();
    const paused = switchable(off);
    const { id } = await paused.createDraft(customer, CONSENT);
    off.add('new-applications');
    const before = bench.store.state;
    expect(await refusal(paused.createDraft(stranger, CONSENT))).toBe('paused');
    expect(bench.store.state).toBe(before);
    await paused.updateApplicant(customer, id, APPLICANT);
    await paused.uploadDocument(customer, id, PDF);
    await paused.uploadDocument(customer, id, PAN_CARD);
    expect((await paused.submit(customer, id)).state).toBe('submitted');
    off.delete('new-applications');
    expect((await paused.createDraft(stranger, CONSENT)).state).toBe('draft');
  });

  it('when document upload is switched off, then an upload is refused as paused and the documents already there stay readable', async () => {
    const off = new Set<KycFeature>();
    const paused = switchable(off);
    const { id } = await paused.createDraft(customer, CONSENT);
    const uploaded = await paused.uploadDocument(customer, id, PDF);
    off.add('document-upload');
    expect(await refusal(paused.uploadDocument(customer, id, PAN_CARD))).toBe('paused');
    expect((await paused.get(customer, id)).documents).toHaveLength(1);
    expect((await paused.documentContent(customer, id, uploaded.id)).content.toString()).toBe('%PDF-1.7 x');
    off.delete('document-upload');
    await paused.uploadDocument(customer, id, PAN_CARD);
    expect((await paused.get(customer, id)).documents).toHaveLength(2);
  });
});
