// The applicant's side: only the owner changes an application, submission names what is missing, cancel
// and consent withdrawal, the cap on open drafts.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { KycError } from './errors.js';
import { KycService } from './kyc-service.js';
import type { KycFeature } from './ports.js';
import { MemoryStore } from './testing/memory-store.js';
import type { Caller } from './use-case-context.js';
import {
  admin,
  APPLICANT,
  CONSENT,
  customer,
  eventTypesOf,
  maker,
  PAN_CARD,
  PDF,
  refusal,
  stranger,
  submitApplication,
  WATCHLIST,
} from './testing/use-case-fixtures.js';

describe('Applications', () => {
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

  it('lets only the owner change an application, hides it from other customers, and refuses staff', async () => {
    const { id } = await service.createDraft(customer, CONSENT);
    expect(await refusal(service.get(stranger, id))).toBe('not_found');
    expect(await refusal(service.updateApplicant(stranger, id, APPLICANT))).toBe('not_found');
    expect(await refusal(service.updateApplicant(maker, id, APPLICANT))).toBe('forbidden');
    expect(await refusal(service.createDraft(maker, CONSENT))).toBe('forbidden');
    expect(await refusal(service.cancel(maker, id))).toBe('forbidden');
    expect(await refusal(service.reviewQueue(customer, undefined, 10))).toBe('forbidden');
    expect((await service.get(maker, id)).history).toHaveLength(1);
    expect((await service.get(customer, id)).history).toBeUndefined();
  });

  it('names every missing piece when submitting too early', async () => {
    const { id } = await service.createDraft(customer, CONSENT);
    try {
      await service.submit(customer, id);
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
    const a = (await service.createDraft(customer, CONSENT)).id;
    expect((await service.cancel(customer, a)).state).toBe('cancelled');
    expect(await refusal(service.cancel(customer, a))).toBe('invalid_state');
    const b = await submittedApplication();
    expect((await service.cancel(admin, b)).state).toBe('cancelled');
    expect(await service.runChecks(b)).toBe('skipped');
  });

  it('cancels an open application when the applicant withdraws consent, and keeps the records', async () => {
    const id = await submittedApplication();
    const view = await service.withdrawConsent(customer, id);
    expect(view.state).toBe('cancelled');
    expect(view.consents[0]?.withdrawnAt).not.toBeNull();
    expect(eventTypes(id).slice(-2)).toEqual(['consent.withdrawn', 'kyc.application.cancelled']);
    expect(await refusal(service.withdrawConsent(customer, id))).toBe('invalid_state');
    expect(await refusal(service.withdrawConsent(stranger, id))).toBe('not_found');
    expect(store.state.applicants.has(id)).toBe(true);
  });

  it('when a customer holds 5 open drafts, then a sixth is refused until one is submitted or cancelled', async () => {
    const drafts = [];
    for (let i = 0; i < 5; i++) drafts.push((await service.createDraft(customer, CONSENT)).id);
    const before = store.state;
    expect(await refusal(service.createDraft(customer, CONSENT))).toBe('limit_reached');
    expect(store.state).toBe(before);
    // Another customer has a cap of their own.
    expect((await service.createDraft(stranger, CONSENT)).state).toBe('draft');
    await service.cancel(customer, drafts[0] as string);
    expect((await service.createDraft(customer, CONSENT)).state).toBe('draft');
    const capped = new KycService({ store, watchlist: WATCHLIST, clock: () => now, maxOpenDrafts: 1 });
    expect(await refusal(capped.createDraft(stranger, CONSENT))).toBe('limit_reached');
  });

  it('when new applications are switched off, then a new draft is refused as paused while an open draft is still completed and submitted', async () => {
    const off = new Set<KycFeature>();
    const paused = new KycService({ store, watchlist: WATCHLIST, clock: () => now, features: { isOn: (feature) => !off.has(feature) } });
    const { id } = await paused.createDraft(customer, CONSENT);
    off.add('new-applications');
    const before = store.state;
    expect(await refusal(paused.createDraft(stranger, CONSENT))).toBe('paused');
    expect(store.state).toBe(before);
    await paused.updateApplicant(customer, id, APPLICANT);
    await paused.uploadDocument(customer, id, PDF);
    await paused.uploadDocument(customer, id, PAN_CARD);
    expect((await paused.submit(customer, id)).state).toBe('submitted');
    off.delete('new-applications');
    expect((await paused.createDraft(stranger, CONSENT)).state).toBe('draft');
  });

  it('when document upload is switched off, then an upload is refused as paused and the documents already there stay readable', async () => {
    const off = new Set<KycFeature>();
    const paused = new KycService({ store, watchlist: WATCHLIST, clock: () => now, features: { isOn: (feature) => !off.has(feature) } });
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
