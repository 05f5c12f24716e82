// What every KycStore must do, as one set of cases run against each implementation: the in-memory
// store the use cases' unit tests stand on (memory-store.test.ts) and the PostgreSQL store
// (test/integration/workloads/kyc-store.test.ts). Where the two would answer differently, the fake is
// wrong: these cases state the behaviour of PostgreSQL — its state-machine trigger and constraints
// (data-access/migrations.ts), its orderings and its row locks.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { ApplicationState } from '../application-state.js';
import type { ApplicationChanges, ApplicationRecord, KycStore, KycTransaction } from '../ports.js';

export interface StoreUnderTest {
  readonly store: KycStore;
  /** Releases what the store holds (a schema, a pool); called after each case. */
  close(): Promise<void>;
}

const HOUR_MS = 3_600_000;

/** The legal path from `draft` to each state, with the fields the database requires on the way. */
const PATH: ReadonlyArray<readonly [ApplicationState, ApplicationChanges]> = [
  ['submitted', { submittedAt: new Date('2026-11-26T10:00:00Z'), expiresAt: null }],
  ['processing', {}],
  ['pending_review', { riskCategory: 'low', screeningBand: 'clear', riskScore: 10 }],
  ['pending_approval', { makerId: 'maker-1', recommendation: 'approve' }],
  ['approved', { checkerId: 'checker-1', decidedAt: new Date('2026-11-27T10:00:00Z'), rekycDueOn: '2036-11-27' }],
];

const AADHAAR = { kind: 'aadhaar' as const, number: '234123412346', last4: '2346' };
const APPLICANT = { name: 'Kavya Raghunathan', dateOfBirth: '1990-05-17', pan: 'ABCPR1234F' };

/** Registers the contract's cases; `open` makes a fresh, empty store for each case. */
export function kycStoreContract(open: () => Promise<StoreUnderTest>): void {
  let subject: StoreUnderTest;
  let store: KycStore;
  beforeEach(async () => {
    subject = await open();
    store = subject.store;
  });
  afterEach(async () => {
    await subject.close();
  });

  const draft = async (ownerId = 'owner-1', expiresAt = new Date(Date.now() + 30 * 24 * HOUR_MS)): Promise<ApplicationRecord> =>
    store.transaction((tx) => tx.insertApplication({ id: randomUUID(), ownerId, expiresAt }));

  /** Walks an application along the legal path up to `target`, one transaction per step. */
  const moveTo = async (id: string, target: ApplicationState, overrides: ApplicationChanges = {}): Promise<ApplicationRecord> => {
    let record: ApplicationRecord | null = await store.transaction((tx) => tx.getApplication(id));
    const from = PATH.findIndex(([state]) => state === record?.state);
    for (const [state, changes] of PATH.slice(from + 1)) {
      record = await store.transaction((tx) => tx.updateApplication(id, { ...changes, ...(state === target ? overrides : {}), state }));
      if (state === target) break;
    }
    if (!record || record.state !== target) throw new Error(`no legal path to ${target} in the contract`);
    return record;
  };

  const refusedWith = async (work: (tx: KycTransaction) => Promise<unknown>): Promise<string> => {
    try {
      await store.transaction(work);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    throw new Error('expected the store to refuse');
  };

  describe('applications', () => {
    it('when a draft is inserted, then it reads back whole, by id and under lock', async () => {
      const expiresAt = new Date('2026-12-26T10:00:00.123Z');
      const id = randomUUID();
      const inserted = await store.transaction((tx) => tx.insertApplication({ id, ownerId: 'owner-1', expiresAt }));
      expect(inserted).toMatchObject({
        id,
        ownerId: 'owner-1',
        state: 'draft',
        expiresAt,
        submittedAt: null,
        decidedAt: null,
        makerId: null,
        recommendation: null,
        checkerId: null,
        screeningBand: null,
        riskScore: null,
        riskCategory: null,
        rekycDueOn: null,
        findings: null,
      });
      expect(inserted.createdAt).toBeInstanceOf(Date);
      expect(await store.transaction((tx) => tx.getApplication(id))).toEqual(inserted);
      expect(await store.transaction((tx) => tx.lockApplication(id))).toEqual(inserted);
    });

    it('when an application does not exist or the id is no UUID, then reads find nothing and an update is refused', async () => {
      expect(await store.transaction((tx) => tx.getApplication(randomUUID()))).toBeNull();
      expect(await store.transaction((tx) => tx.lockApplication('no-such-id'))).toBeNull();
      expect(await refusedWith((tx) => tx.updateApplication(randomUUID(), { riskScore: 1 }))).toMatch(/no such application/);
    });

    it('when an id is inserted twice, then the second insert is refused and the first stays', async () => {
      const first = await draft('owner-1');
      await expect(
        store.transaction((tx) => tx.insertApplication({ id: first.id, ownerId: 'owner-2', expiresAt: new Date() })),
      ).rejects.toThrow();
      expect((await store.transaction((tx) => tx.getApplication(first.id)))?.ownerId).toBe('owner-1');
    });

    it('when a transaction fails, then none of its writes remain', async () => {
      const id = randomUUID();
      await expect(
        store.transaction(async (tx) => {
          await tx.insertApplication({ id, ownerId: 'owner-1', expiresAt: new Date() });
          await tx.insertConsent({
            id: randomUUID(),
            applicationId: id,
            ownerId: 'owner-1',
            purposes: ['kyc_verification'],
            noticeVersion: 'v1',
          });
          await tx.audit({ applicationId: id, actorId: 'owner-1', actorRole: 'customer', action: 'create' });
          throw new Error('the use case refuses');
        }),
      ).rejects.toThrow('the use case refuses');
      expect(await store.transaction((tx) => tx.getApplication(id))).toBeNull();
      expect(await store.transaction((tx) => tx.listConsents(id))).toEqual([]);
      expect(await store.transaction((tx) => tx.auditTrail(id))).toEqual([]);
    });

    it('when the changes are written, then they read back as written, findings and dates included', async () => {
      const app = await draft();
      const findings = { checks: [{ check: 'pan', status: 'passed' }], risk: { score: 12 } };
      const reviewed = await moveTo(app.id, 'pending_review', {
        findings,
        riskScore: 12,
        riskCategory: 'medium',
        screeningBand: 'enhanced_due_diligence',
      });
      expect(reviewed).toMatchObject({
        state: 'pending_review',
        findings,
        riskScore: 12,
        riskCategory: 'medium',
        screeningBand: 'enhanced_due_diligence',
      });
      expect(reviewed.submittedAt).toEqual(new Date('2026-11-26T10:00:00Z'));
      expect(reviewed.expiresAt).toBeNull();
      const approved = await moveTo(app.id, 'approved');
      expect(approved).toMatchObject({ makerId: 'maker-1', checkerId: 'checker-1', rekycDueOn: '2036-11-27' });
      expect(await store.transaction((tx) => tx.getApplication(app.id))).toEqual(approved);
    });
  });

  describe('the state machine', () => {
    it('when a transition is legal, then it is stored; when it is not, then it is refused and nothing changes', async () => {
      const app = await draft();
      expect(await refusedWith((tx) => tx.updateApplication(app.id, { state: 'approved' }))).toMatch(
        /illegal application transition draft -> approved/,
      );
      expect(await refusedWith((tx) => tx.updateApplication(app.id, { state: 'pending_review' }))).toMatch(
        /illegal application transition draft -> pending_review/,
      );
      expect((await store.transaction((tx) => tx.getApplication(app.id)))?.state).toBe('draft');
      await moveTo(app.id, 'pending_approval');
      // Terminal states are terminal.
      await store.transaction((tx) => tx.updateApplication(app.id, { state: 'rejected', checkerId: 'checker-1', decidedAt: new Date() }));
      expect(await refusedWith((tx) => tx.updateApplication(app.id, { state: 'pending_review' }))).toMatch(
        /illegal application transition rejected -> pending_review/,
      );
      expect((await store.transaction((tx) => tx.getApplication(app.id)))?.state).toBe('rejected');
    });

    it('when a change keeps the state, then it is no transition and is stored', async () => {
      const app = await draft();
      const changed = await store.transaction((tx) =>
        tx.updateApplication(app.id, { state: 'draft', expiresAt: new Date('2027-01-01T00:00:00Z') }),
      );
      expect(changed).toMatchObject({ state: 'draft', expiresAt: new Date('2027-01-01T00:00:00Z') });
    });

    it('when the checker is the maker, then the change is refused (four eyes)', async () => {
      const app = await draft();
      await moveTo(app.id, 'pending_approval');
      await expect(
        store.transaction((tx) => tx.updateApplication(app.id, { state: 'approved', checkerId: 'maker-1', decidedAt: new Date() })),
      ).rejects.toThrow();
      expect((await store.transaction((tx) => tx.getApplication(app.id)))?.state).toBe('pending_approval');
    });
  });

  describe('applicant data, documents, consents and the audit trail', () => {
    it('when applicant data is written with an Aadhaar, then it reads back masked and the vault reveals the number; a later write keeps the token', async () => {
      const app = await draft();
      await store.transaction((tx) => tx.writeApplicant(app.id, APPLICANT, AADHAAR));
      const stored = await store.transaction((tx) => tx.readApplicant(app.id));
      expect(stored).toMatchObject({ data: APPLICANT, panMasked: 'ABCPRXXXXF', aadhaar: { last4: '2346', kind: 'aadhaar' } });
      const token = stored?.aadhaar?.token as string;
      expect(token).toMatch(/^avt_/);
      expect(await store.transaction((tx) => tx.revealAadhaar(token))).toBe('234123412346');
      await store.transaction((tx) => tx.writeApplicant(app.id, { ...APPLICANT, name: 'Kavya R' }));
      expect(await store.transaction((tx) => tx.readApplicant(app.id))).toMatchObject({ data: { name: 'Kavya R' }, aadhaar: { token } });
      expect(await store.transaction((tx) => tx.readApplicant(randomUUID()))).toBeNull();
      await expect(store.transaction((tx) => tx.revealAadhaar('avt_no-such-token-000000000000000000'))).rejects.toThrow();
    });

    it('when documents are uploaded, then they list in upload order and only their own application reads their content', async () => {
      const app = await draft();
      const other = await draft('owner-2');
      const ids = [randomUUID(), randomUUID()];
      for (const [i, id] of ids.entries()) {
        await store.transaction((tx) =>
          tx.insertDocument({
            id,
            applicationId: app.id,
            type: i === 0 ? 'passport' : 'pan_card',
            contentType: 'application/pdf',
            content: Buffer.from(`%PDF-${i}`),
            aadhaarRedacted: false,
          }),
        );
      }
      const listed = await store.transaction((tx) => tx.listDocuments(app.id));
      expect(listed.map((d) => [d.id, d.type, d.contentType, d.sizeBytes])).toEqual([
        [ids[0], 'passport', 'application/pdf', 6],
        [ids[1], 'pan_card', 'application/pdf', 6],
      ]);
      const read = await store.transaction((tx) => tx.readDocumentContent(app.id, ids[1] as string));
      expect(read?.content.toString()).toBe('%PDF-1');
      expect(read?.meta).toEqual(listed[1]);
      expect(Object.keys(listed[0] ?? {}).sort()).toEqual(['contentType', 'id', 'sizeBytes', 'type', 'uploadedAt']);
      expect(Object.keys(read?.meta ?? {}).sort()).toEqual(['contentType', 'id', 'sizeBytes', 'type', 'uploadedAt']);
      expect(await store.transaction((tx) => tx.readDocumentContent(other.id, ids[1] as string))).toBeNull();
      expect(await store.transaction((tx) => tx.readDocumentContent(app.id, 'no-such-id'))).toBeNull();
      expect(await store.transaction((tx) => tx.listDocuments(other.id))).toEqual([]);
    });

    it('when consents are withdrawn, then every active one is marked once and a second withdrawal finds none', async () => {
      const app = await draft();
      await store.transaction(async (tx) => {
        await tx.insertConsent({
          id: randomUUID(),
          applicationId: app.id,
          ownerId: 'owner-1',
          purposes: ['kyc_verification'],
          noticeVersion: 'v1',
        });
        // Read in the same transaction: the store's own writes are visible to it.
        expect(await tx.listConsents(app.id)).toEqual([
          expect.objectContaining({ purposes: ['kyc_verification'], noticeVersion: 'v1', withdrawnAt: null }),
        ]);
      });
      expect(await store.transaction((tx) => tx.withdrawConsents(app.id))).toBe(1);
      expect(await store.transaction((tx) => tx.withdrawConsents(app.id))).toBe(0);
      const [consent] = await store.transaction((tx) => tx.listConsents(app.id));
      expect(consent?.withdrawnAt).toBeInstanceOf(Date);
      expect(Object.keys(consent ?? {}).sort()).toEqual(['grantedAt', 'id', 'noticeVersion', 'purposes', 'withdrawnAt']);
    });

    it('when audit records are written, then the trail returns them in order with their time', async () => {
      const app = await draft();
      await store.transaction(async (tx) => {
        await tx.audit({
          applicationId: app.id,
          actorId: 'owner-1',
          actorRole: 'customer',
          action: 'create',
          toState: 'draft',
          requestId: 'r-1',
        });
        await tx.audit({ applicationId: app.id, actorId: 'maker-1', actorRole: 'maker', action: 'read_application' });
        await tx.publish({ type: 'kyc.application.created', subject: app.id, actor: 'owner-1', data: { applicationId: app.id } });
      });
      await store.transaction((tx) =>
        tx.audit({
          applicationId: app.id,
          actorId: 'system',
          actorRole: 'system',
          action: 'expire',
          fromState: 'draft',
          toState: 'expired',
          detail: { note: 'x' },
        }),
      );
      const trail = await store.transaction((tx) => tx.auditTrail(app.id));
      expect(trail.map((a) => [a.action, a.actorId, a.fromState ?? null, a.toState ?? null])).toEqual([
        ['create', 'owner-1', null, 'draft'],
        ['read_application', 'maker-1', null, null],
        ['expire', 'system', 'draft', 'expired'],
      ]);
      expect(trail[0]).toMatchObject({ applicationId: app.id, actorRole: 'customer', requestId: 'r-1' });
      expect(trail[1]).toMatchObject({ fromState: null, toState: null, detail: {} });
      expect(trail[2]?.detail).toEqual({ note: 'x' });
      expect(trail.every((a) => a.at instanceof Date)).toBe(true);
    });
  });

  describe('snapshots', () => {
    it('when a store reads an application in one snapshot, then the snapshot agrees with the part-by-part reads, own writes included', async () => {
      const app = await draft();
      await store.transaction(async (tx) => {
        await tx.writeApplicant(app.id, APPLICANT, AADHAAR);
        await tx.insertDocument({
          id: randomUUID(),
          applicationId: app.id,
          type: 'passport',
          contentType: 'application/pdf',
          content: Buffer.from('%PDF-1'),
          aadhaarRedacted: false,
        });
        await tx.insertConsent({
          id: randomUUID(),
          applicationId: app.id,
          ownerId: 'owner-1',
          purposes: ['kyc_verification'],
          noticeVersion: 'v1',
        });
        await tx.audit({
          applicationId: app.id,
          actorId: 'owner-1',
          actorRole: 'customer',
          action: 'create',
          toState: 'draft',
          requestId: 'r-1',
        });
      });
      const parts = await store.transaction(async (tx) => ({
        application: await tx.getApplication(app.id),
        applicant: await tx.readApplicant(app.id),
        documents: await tx.listDocuments(app.id),
        consents: await tx.listConsents(app.id),
        auditTrail: await tx.auditTrail(app.id),
      }));
      expect(parts.documents).toHaveLength(1);
      // The snapshot is optional (ports.ts): a store without it is read part by part, as above.
      if (store.snapshot) {
        expect(await store.snapshot(app.id, { history: true })).toEqual(parts);
        const { auditTrail: _history, ...withoutHistory } = parts;
        expect(await store.snapshot(app.id, { history: false })).toEqual(withoutHistory);
        expect(await store.snapshot(randomUUID(), { history: false })).toBeNull();
        expect(await store.snapshot('no-such-id', { history: false })).toBeNull();
      }
      await store.transaction(async (tx) => {
        await tx.audit({ applicationId: app.id, actorId: 'maker-1', actorRole: 'maker', action: 'read_application' });
        if (tx.snapshot) expect((await tx.snapshot(app.id, { history: true }))?.auditTrail).toEqual(await tx.auditTrail(app.id));
        expect(await tx.auditTrail(app.id)).toHaveLength(2);
      });
    });
  });

  describe('queries', () => {
    it('counts only the open drafts of the owner', async () => {
      await draft('owner-1');
      const submitted = await draft('owner-1');
      await moveTo(submitted.id, 'submitted');
      await draft('owner-2');
      expect(await store.transaction((tx) => tx.lockOwnerDrafts('owner-1'))).toBe(1);
      expect(await store.transaction((tx) => tx.lockOwnerDrafts('owner-3'))).toBe(0);
    });

    it('lists the review queue by state, oldest submission first, up to the limit', async () => {
      const late = await draft();
      const early = await draft();
      const approval = await draft();
      await draft();
      await moveTo(late.id, 'pending_review', { submittedAt: new Date('2026-11-26T12:00:00Z') });
      await moveTo(early.id, 'pending_review', { submittedAt: new Date('2026-11-26T09:00:00Z') });
      await moveTo(approval.id, 'submitted', { submittedAt: new Date('2026-11-26T08:00:00Z') });
      await moveTo(approval.id, 'pending_approval');
      const queue = (states: ApplicationState[], limit: number) =>
        store.transaction((tx) => tx.reviewQueue(states, limit)).then((rows) => rows.map((r) => r.id));
      expect(await queue(['pending_review'], 10)).toEqual([early.id, late.id]);
      expect(await queue(['pending_review'], 1)).toEqual([early.id]);
      expect(await queue(['pending_approval'], 10)).toEqual([approval.id]);
      expect(await queue(['pending_review', 'pending_approval'], 10)).toEqual([approval.id, early.id, late.id]);
      // Submitted at the same instant: by id, so that paging is stable.
      const twins = [await draft(), await draft()];
      for (const twin of twins) await moveTo(twin.id, 'pending_review', { submittedAt: new Date('2026-11-26T10:00:00Z') });
      const [a, b] = twins.map((t) => t.id).sort();
      expect(await queue(['pending_review'], 10)).toEqual([early.id, a, b, late.id]);
      const page = (after: string, limit: number) =>
        store.transaction((tx) => tx.reviewQueue(['pending_review'], limit, after)).then((rows) => rows.map((r) => r.id));
      expect(await page(early.id, 2)).toEqual([a, b]);
      expect(await page(a as string, 10)).toEqual([b, late.id]);
      expect(await page(late.id, 10)).toEqual([]);
      // The cursor's application has left the queue since: its position still holds.
      await moveTo(a as string, 'pending_approval');
      expect(await page(a as string, 10)).toEqual([b, late.id]);
      expect(await page('00000000-0000-4000-8000-000000000000', 10)).toEqual([]);
    });

    it("finds the owner's latest approved risk category, not the given application's", async () => {
      // Inserted newest first: the latest is the latest decision, not the latest row.
      const newer = await draft('owner-1');
      const older = await draft('owner-1');
      const current = await draft('owner-1');
      await moveTo(newer.id, 'approved', { decidedAt: new Date('2026-11-28T00:00:00Z') });
      await store.transaction((tx) => tx.updateApplication(newer.id, { riskCategory: 'high' }));
      await moveTo(older.id, 'approved', { decidedAt: new Date('2026-11-27T00:00:00Z') });
      expect(await store.transaction((tx) => tx.previousRiskCategory('owner-1', current.id))).toBe('high');
      expect(await store.transaction((tx) => tx.previousRiskCategory('owner-1', newer.id))).toBe('low');
      expect(await store.transaction((tx) => tx.previousRiskCategory('owner-2', current.id))).toBeNull();
    });

    it('finds the other applications with the same PAN or Aadhaar, and only those', async () => {
      const candidate = await draft('owner-1');
      const samePan = await draft('owner-2');
      const sameAadhaar = await draft('owner-3');
      const unrelated = await draft('owner-4');
      const bare = await draft('owner-5');
      await store.transaction(async (tx) => {
        await tx.writeApplicant(candidate.id, APPLICANT, AADHAAR);
        await tx.writeApplicant(samePan.id, { ...APPLICANT, name: 'Someone Else' }, { ...AADHAAR, number: '234123412354', last4: '2354' });
        await tx.writeApplicant(sameAadhaar.id, { ...APPLICANT, pan: 'ABCPZ9999Z' }, AADHAAR);
        await tx.writeApplicant(unrelated.id, { ...APPLICANT, pan: 'ZZZPZ1111Z' }, { ...AADHAAR, number: '345634563452', last4: '3452' });
      });
      const found = await store.transaction((tx) => tx.applicationsWithSameIdentity(candidate.id));
      expect(found.candidate).toMatchObject({ applicationId: candidate.id, ownerId: 'owner-1', state: 'draft' });
      const keys = found.candidate as NonNullable<typeof found.candidate>;
      expect(keys.panIndex).not.toBeNull();
      expect(keys.aadhaarIndex).not.toBeNull();
      const others = [...found.others].sort((a, b) => a.ownerId.localeCompare(b.ownerId));
      expect(others.map((o) => o.applicationId)).toEqual([samePan.id, sameAadhaar.id]);
      // Matches carry the candidate's own index for what matched, so the pure rule compares by equality.
      expect(others[0]?.panIndex).toBe(keys.panIndex);
      expect(others[0]?.aadhaarIndex).not.toBe(keys.aadhaarIndex);
      expect(others[1]?.aadhaarIndex).toBe(keys.aadhaarIndex);
      expect(others[1]?.panIndex).not.toBe(keys.panIndex);
      // Without applicant data there is nothing to compare.
      expect(await store.transaction((tx) => tx.applicationsWithSameIdentity(bare.id))).toEqual({ candidate: null, others: [] });
    });
  });

  describe('housekeeping', () => {
    it('locks the drafts and resubmission requests whose time ran out, soonest first, up to the limit', async () => {
      const now = new Date('2026-12-01T00:00:00Z');
      const second = await draft('owner-1', new Date('2026-11-30T00:00:00Z'));
      const first = await draft('owner-1', new Date('2026-11-20T00:00:00Z'));
      await draft('owner-1', new Date('2026-12-02T00:00:00Z'));
      const resubmission = await draft('owner-2');
      await moveTo(resubmission.id, 'pending_review');
      await store.transaction((tx) =>
        tx.updateApplication(resubmission.id, { state: 'resubmission_required', expiresAt: new Date('2026-11-25T00:00:00Z') }),
      );
      const submitted = await draft('owner-3', new Date('2026-11-01T00:00:00Z'));
      await store.transaction((tx) => tx.updateApplication(submitted.id, { state: 'submitted' }));
      const expired = (limit: number) => store.transaction((tx) => tx.lockExpired(now, limit)).then((rows) => rows.map((r) => r.id));
      expect(await expired(10)).toEqual([first.id, resubmission.id, second.id]);
      expect(await expired(2)).toEqual([first.id, resubmission.id]);
    });

    it('finds the applications in processing since before a time, longest first', async () => {
      const stuck = await draft();
      await moveTo(stuck.id, 'processing');
      const reviewed = await draft();
      await moveTo(reviewed.id, 'pending_review');
      expect(await store.transaction((tx) => tx.stuckInProcessing(new Date(Date.now() + HOUR_MS), 10))).toEqual([stuck.id]);
      expect(await store.transaction((tx) => tx.stuckInProcessing(new Date(Date.now() - HOUR_MS), 10))).toEqual([]);
      expect(await store.transaction((tx) => tx.stuckInProcessing(new Date(Date.now() + HOUR_MS), 0))).toEqual([]);
    });

    it('finds the approvals whose re-KYC falls due, soonest first, until their customer was told', async () => {
      const later = await draft('owner-1');
      const sooner = await draft('owner-2');
      const notYet = await draft('owner-3');
      await moveTo(later.id, 'approved', { rekycDueOn: '2028-06-01' });
      await moveTo(sooner.id, 'approved', { rekycDueOn: '2028-01-01' });
      await moveTo(notYet.id, 'approved', { rekycDueOn: '2030-01-01' });
      const due = () => store.transaction((tx) => tx.lockReKycDue('2028-06-01', 10)).then((rows) => rows.map((r) => r.id));
      expect(await due()).toEqual([sooner.id, later.id]);
      expect(await store.transaction((tx) => tx.lockReKycDue('2028-06-01', 1)).then((rows) => rows.map((r) => r.rekycDueOn))).toEqual([
        '2028-01-01',
      ]);
      await store.transaction((tx) => tx.markReKycNoticeSent(sooner.id));
      expect(await due()).toEqual([later.id]);
      // A notice that rolls back was not sent.
      await expect(
        store.transaction(async (tx) => {
          await tx.markReKycNoticeSent(later.id);
          throw new Error('publishing failed');
        }),
      ).rejects.toThrow('publishing failed');
      expect(await due()).toEqual([later.id]);
    });
  });

  describe('concurrency', () => {
    it('when two transactions lock the same application, then the second sees what the first committed', async () => {
      const app = await draft();
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let firstLocked: () => void = () => undefined;
      const locked = new Promise<void>((resolve) => {
        firstLocked = resolve;
      });
      const submitOnce = (tx: KycTransaction) => async (): Promise<boolean> => {
        const current = await tx.lockApplication(app.id);
        if (current?.state !== 'draft') return false;
        await tx.updateApplication(app.id, { state: 'submitted' });
        return true;
      };
      const first = store.transaction(async (tx) => {
        await tx.lockApplication(app.id);
        firstLocked();
        await held;
        return submitOnce(tx)();
      });
      await locked;
      const second = store.transaction((tx) => submitOnce(tx)());
      // The second waits on the lock; let it try before the first commits.
      await new Promise((resolve) => setTimeout(resolve, 50));
      release();
      expect(await Promise.all([first, second])).toEqual([true, false]);
    });

    it("when two transactions count the same owner's drafts, then the second counts the first's new draft", async () => {
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let counted: () => void = () => undefined;
      const firstCounted = new Promise<void>((resolve) => {
        counted = resolve;
      });
      const first = store.transaction(async (tx) => {
        const n = await tx.lockOwnerDrafts('owner-1');
        counted();
        await held;
        await tx.insertApplication({ id: randomUUID(), ownerId: 'owner-1', expiresAt: new Date(Date.now() + HOUR_MS) });
        return n;
      });
      await firstCounted;
      const second = store.transaction((tx) => tx.lockOwnerDrafts('owner-1'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      release();
      expect(await Promise.all([first, second])).toEqual([0, 1]);
    });
  });
}
