// The applicant's side of an application: open a draft (with consent), fill in the applicant data and
// documents, submit, cancel, withdraw consent. Only the owner changes their application (an admin may
// cancel one); each change, its audit record and its events commit together.
import { randomUUID } from 'node:crypto';
import { type ApplicantUpdate, type FieldError, validateApplicantPatch } from './applicant.js';
import { type Actor, OPEN_STATES } from './application-state.js';
import { validateConsent } from './consent.js';
import { missingDocuments, validateDocumentUpload } from './documents.js';
import { checkDraftLimit } from './drafts.js';
import { featurePaused, forbidden, invalidState, limitReached, validationFailed } from './errors.js';
import type { ApplicantData, ApplicationSnapshot, ConsentRecord, DocumentMeta, KycTransaction, StoredApplicantRecord } from './ports.js';
import { type Caller, EDITABLE, type UseCaseContext, lockExisting, lockOwned } from './use-case-context.js';
import { type ApplicationView, applicationView, documentView, viewIn } from './views.js';

export class Applications {
  constructor(private readonly ctx: UseCaseContext) {}

  async createDraft(caller: Caller, body: unknown): Promise<ApplicationView> {
    if (caller.role !== 'customer') throw forbidden('only customers open KYC applications');
    // Drafts already open are not affected: they can still be completed and submitted.
    if (!this.ctx.features.isOn('new-applications')) throw featurePaused('new applications are paused; please try again later');
    const consent = validateConsent(body ?? {});
    if (!consent.ok) throw validationFailed(consent.errors);
    const id = randomUUID();
    const view = await this.ctx.store.transaction(async (tx) => {
      const limit = checkDraftLimit(await tx.lockOwnerDrafts(caller.id), this.ctx.maxOpenDrafts);
      if (limit) throw limitReached(limit.message);
      const app = await tx.insertApplication({
        id,
        ownerId: caller.id,
        expiresAt: new Date(this.ctx.clock().getTime() + this.ctx.draftTtlMs),
      });
      const consentRecord = { id: randomUUID(), purposes: [...consent.value.purposes], noticeVersion: consent.value.noticeVersion };
      await tx.insertConsent({ ...consentRecord, applicationId: id, ownerId: caller.id });
      await tx.audit({
        applicationId: id,
        actorId: caller.id,
        actorRole: caller.role,
        action: 'create',
        toState: 'draft',
        requestId: caller.requestId,
      });
      await tx.publish({ type: 'kyc.application.created', subject: id, actor: caller.id, data: { applicationId: id, ownerId: caller.id } });
      await tx.publish({
        type: 'consent.granted',
        subject: id,
        actor: caller.id,
        data: { applicationId: id, ownerId: caller.id, purposes: consent.value.purposes, noticeVersion: consent.value.noticeVersion },
      });
      // A new draft has nothing else to read back: build the view from what was just written.
      return applicationView(app, null, [], [{ ...consentRecord, grantedAt: app.createdAt, withdrawnAt: null }]);
    });
    this.ctx.outcome('created');
    return view;
  }

  async updateApplicant(caller: Caller, id: string, body: unknown): Promise<ApplicationView> {
    return this.ctx.store.transaction(async (tx) => {
      // Asked together, answered in one round trip; the read runs once the lock is held (ports.ts).
      const [app, stored] = await Promise.all([lockOwned(tx, caller, id), tx.readApplicant(id)]);
      if (!EDITABLE.includes(app.state)) throw invalidState(`applicant data cannot change while the application is ${app.state}`);
      const storedName = stored?.data.name;
      const storedPan = stored?.data.pan;
      const checked = validateApplicantPatch(
        body,
        { ...(storedName !== undefined && { name: storedName }), ...(storedPan !== undefined && { pan: storedPan }) },
        this.ctx.clock(),
      );
      if (!checked.ok) throw validationFailed(checked.errors);
      const update = checked.value;
      await tx.writeApplicant(id, mergeApplicant(stored?.data ?? {}, update), update.aadhaar);
      await tx.audit({
        applicationId: id,
        actorId: caller.id,
        actorRole: caller.role,
        action: 'update_applicant',
        detail: { fields: Object.keys(update).sort() },
        requestId: caller.requestId,
      });
      // The draft's new expiry and the view's read go out together; the read sees the change.
      const extended =
        app.state === 'draft'
          ? tx.updateApplication(id, { expiresAt: new Date(this.ctx.clock().getTime() + this.ctx.draftTtlMs) })
          : undefined;
      const [, view] = await Promise.all([extended, viewIn(tx, id, caller)]);
      return view;
    });
  }

  async uploadDocument(caller: Caller, id: string, body: unknown): Promise<ApplicationView['documents'][number]> {
    if (!this.ctx.features.isOn('document-upload')) throw featurePaused('document uploads are paused; please try again later');
    const upload = validateDocumentUpload(body);
    return this.ctx.store.transaction(async (tx) => {
      const [app, existing] = await Promise.all([lockOwned(tx, caller, id), tx.listDocuments(id)]);
      if (!upload.ok) throw validationFailed(upload.errors);
      if (!EDITABLE.includes(app.state)) throw invalidState(`documents cannot be added while the application is ${app.state}`);
      if (existing.length >= this.ctx.maxDocuments) {
        throw validationFailed([{ field: 'documents', message: `an application holds at most ${this.ctx.maxDocuments} documents` }]);
      }
      const meta = await tx.insertDocument({
        id: randomUUID(),
        applicationId: id,
        type: upload.value.type,
        contentType: upload.value.contentType,
        content: upload.value.content,
        aadhaarRedacted: upload.value.type === 'aadhaar_possession_proof',
      });
      await tx.audit({
        applicationId: id,
        actorId: caller.id,
        actorRole: caller.role,
        action: 'upload_document',
        detail: { documentId: meta.id, type: meta.type, sizeBytes: meta.sizeBytes },
        requestId: caller.requestId,
      });
      await tx.publish({
        type: 'kyc.document.uploaded',
        subject: id,
        actor: caller.id,
        data: {
          applicationId: id,
          ownerId: app.ownerId,
          documentId: meta.id,
          type: meta.type,
          contentType: meta.contentType,
          sizeBytes: meta.sizeBytes,
        },
      });
      return documentView(meta);
    });
  }

  async submit(caller: Caller, id: string): Promise<ApplicationView> {
    const view = await this.ctx.store.transaction(async (tx) => {
      // The snapshot goes out with the lock (one round trip) and runs once the lock is held.
      const [app, snap] = await Promise.all([lockOwned(tx, caller, id), tx.snapshot?.(id, { history: false })]);
      const transition = this.ctx.decide(app, 'submit', 'applicant');
      const { missing, applicant, documents, consents } = await this.submissionState(tx, id, snap);
      if (missing.length > 0) throw validationFailed(missing);
      const moved = await this.ctx.move(
        tx,
        app,
        transition,
        caller,
        { submittedAt: this.ctx.clock(), expiresAt: null },
        { resubmission: app.state === 'resubmission_required' },
      );
      return applicationView(moved, applicant, documents, consents);
    });
    this.ctx.outcome('submitted');
    return view;
  }

  async cancel(caller: Caller, id: string): Promise<ApplicationView> {
    const actor: Actor | undefined = caller.role === 'customer' ? 'applicant' : caller.role === 'admin' ? 'admin' : undefined;
    if (actor === undefined) throw forbidden('only the applicant or an admin can cancel an application');
    const view = await this.ctx.store.transaction(async (tx) => {
      const app = caller.role === 'customer' ? await lockOwned(tx, caller, id) : await lockExisting(tx, id);
      const transition = this.ctx.decide(app, 'cancel', actor);
      await this.ctx.move(tx, app, transition, caller, { decidedAt: this.ctx.clock(), expiresAt: null }, {});
      return viewIn(tx, id, caller);
    });
    this.ctx.outcome('cancelled');
    return view;
  }

  /**
   * The applicant withdraws consent (DPDP Act): no further processing, so an open application is
   * cancelled too. The records themselves stay for the retention period KYC rules require.
   */
  async withdrawConsent(caller: Caller, id: string): Promise<ApplicationView> {
    const view = await this.ctx.store.transaction(async (tx) => {
      const app = await lockOwned(tx, caller, id);
      const withdrawn = await tx.withdrawConsents(id);
      if (withdrawn === 0) throw invalidState('there is no active consent to withdraw');
      await tx.audit({
        applicationId: id,
        actorId: caller.id,
        actorRole: caller.role,
        action: 'withdraw_consent',
        requestId: caller.requestId,
      });
      await tx.publish({ type: 'consent.withdrawn', subject: id, actor: caller.id, data: { applicationId: id, ownerId: app.ownerId } });
      if (OPEN_STATES.includes(app.state)) {
        await this.ctx.move(
          tx,
          app,
          this.ctx.decide(app, 'cancel', 'applicant'),
          caller,
          { decidedAt: this.ctx.clock(), expiresAt: null },
          { reason: 'consent_withdrawn' },
        );
      }
      return viewIn(tx, id, caller);
    });
    if (view.state === 'cancelled') this.ctx.outcome('cancelled');
    return view;
  }

  /** What a submission lacks; `snap` is the application's snapshot when the store makes one. */
  private async submissionState(
    tx: KycTransaction,
    id: string,
    snap: ApplicationSnapshot | null | undefined,
  ): Promise<{ missing: FieldError[]; applicant: StoredApplicantRecord | null; documents: DocumentMeta[]; consents: ConsentRecord[] }> {
    const errors: FieldError[] = [];
    const stored = snap ? snap.applicant : await tx.readApplicant(id);
    const data = stored?.data ?? {};
    for (const field of ['name', 'dateOfBirth', 'pan', 'address'] as const) {
      if (data[field] === undefined) errors.push({ field, message: 'is required before submitting' });
    }
    if (!stored?.aadhaar) errors.push({ field: 'aadhaar', message: 'is required before submitting' });
    const documents = snap ? snap.documents : await tx.listDocuments(id);
    errors.push(...missingDocuments(documents.map((d) => d.type)));
    const consents = snap ? snap.consents : await tx.listConsents(id);
    if (!consents.some((c) => c.withdrawnAt === null && c.purposes.includes('kyc_verification'))) {
      errors.push({ field: 'consent', message: 'consent to KYC verification is required' });
    }
    return { missing: errors, applicant: stored, documents, consents };
  }
}

function mergeApplicant(stored: ApplicantData, update: ApplicantUpdate): ApplicantData {
  const merged: ApplicantData = { ...stored };
  if (update.name !== undefined) merged.name = update.name;
  if (update.dateOfBirth !== undefined) merged.dateOfBirth = update.dateOfBirth;
  if (update.address !== undefined) merged.address = update.address;
  if (update.pan !== undefined) merged.pan = update.pan.number;
  if (update.passport !== undefined) merged.passport = update.passport;
  if (update.voterId !== undefined) merged.voterId = update.voterId;
  if (update.drivingLicence !== undefined) merged.drivingLicence = update.drivingLicence;
  if (update.ckycNumber !== undefined) merged.ckycNumber = update.ckycNumber;
  return merged;
}
