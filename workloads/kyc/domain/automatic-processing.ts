// The automatic processing of a submitted application: identity checks, sanctions and PEP screening,
// duplicates and risk (automatic-checks.ts decides), then straight to a maker's queue or rejected. When
// the checks cannot complete, the application is referred to a person instead of waiting for ever; so is
// every application checked while sanctions screening is switched off (docs/api.md, "Feature flags"). An
// application whose PII was sealed while the KMS was away is parked: nothing is checked or decided until
// its PII is unparked (docs/security.md, "Writes while the KMS is away"), then housekeeping releases it.
import { scrubString } from '../../shared/redact.js';
import { type ChecksOutcome, runAutomaticChecks } from './automatic-checks.js';
import { findDuplicates } from './duplicates.js';
import { KycError } from './errors.js';
import type { ApplicationChanges, ApplicationRecord, KycTransaction } from './ports.js';
import { SYSTEM, type UseCaseContext } from './use-case-context.js';

/** The referral reason of an application checked while screening was switched off. */
export const SCREENING_OFF = 'sanctions_screening_off';

export class AutomaticProcessing {
  constructor(private readonly ctx: UseCaseContext) {}

  /**
   * The automatic checks for a submitted application (run by the Kafka consumer of
   * kyc.application.submitted). Safe to run again for the same application: it only acts on an
   * application that is submitted, or processing after an interrupted run. `parked`: its PII waits for
   * the KMS, so it stays as it is — never checked, never passed on — and is held for housekeeping.
   */
  async runChecks(applicationId: string): Promise<'done' | 'skipped' | 'parked'> {
    // Asked before the application is locked: the hold is written beside it, not inside its transaction.
    if (this.ctx.parked && (await this.ctx.parked.piiParked(applicationId))) {
      if (await this.ctx.parked.hold(applicationId)) {
        await this.ctx.store.transaction((tx) =>
          tx.audit({ applicationId, actorId: 'system', actorRole: 'system', action: 'checks_parked', detail: { reason: 'pii_parked' } }),
        );
      }
      return 'parked';
    }
    const started = await this.ctx.store.transaction(async (tx) => {
      const app = await tx.lockApplication(applicationId);
      if (!app) return false;
      if (app.state === 'processing') return true;
      if (app.state !== 'submitted') return false;
      await this.ctx.move(tx, app, this.ctx.decide(app, 'start_processing', 'system'), SYSTEM, {}, {});
      return true;
    });
    if (!started) return 'skipped';
    const outcome = await this.ctx.store.transaction(async (tx) => {
      const app = await tx.lockApplication(applicationId);
      if (!app || app.state !== 'processing') return null;
      const result = await this.evaluate(tx, app);
      const findings = {
        checks: result.results,
        screening: result.screening,
        risk: result.risk,
        duplicates: result.duplicates,
      };
      for (const check of result.results) {
        await tx.publish({
          type: check.status === 'failed' ? 'kyc.check.failed' : 'kyc.check.completed',
          subject: applicationId,
          actor: 'system',
          data: { applicationId, ownerId: app.ownerId, check: check.check, status: check.status, detail: check.detail },
        });
      }
      if (result.screening && result.screening.hits.length > 0) {
        await tx.publish({
          type: 'kyc.screening.hit_found',
          subject: applicationId,
          actor: 'system',
          data: {
            applicationId,
            ownerId: app.ownerId,
            band: result.screening.band,
            hits: result.screening.hits.map((h) => ({ entryId: h.entryId, source: h.source, kind: h.kind, score: h.score, band: h.band })),
          },
        });
      }
      const changes: ApplicationChanges = {
        screeningBand: result.screening?.band ?? null,
        riskScore: result.risk.score,
        riskCategory: result.risk.category,
        findings,
      };
      if (result.screening === null) {
        // Screening was switched off: nothing is decided automatically, a maker screens the applicant.
        await this.ctx.move(
          tx,
          app,
          this.ctx.decide(app, 'refer_to_review', 'system'),
          SYSTEM,
          { ...changes, findings: { ...findings, manualReview: { reason: SCREENING_OFF } } },
          { queue: 'maker', reason: SCREENING_OFF, riskCategory: result.risk.category },
          `${SCREENING_OFF}: sanctions screening was switched off when the checks ran; screen the applicant before recommending`,
        );
      } else if (result.decision === 'reject') {
        const failed = result.results.filter((r) => r.status === 'failed').map((r) => r.check);
        await this.ctx.move(
          tx,
          app,
          this.ctx.decide(app, 'fail_checks', 'system'),
          SYSTEM,
          { ...changes, decidedAt: this.ctx.clock() },
          {
            decidedBy: 'automatic_checks',
            failedChecks: failed,
          },
        );
      } else {
        await this.ctx.move(tx, app, this.ctx.decide(app, 'pass_checks', 'system'), SYSTEM, changes, {
          queue: 'maker',
          riskCategory: result.risk.category,
          screeningBand: result.screening.band,
        });
      }
      return result.decision;
    });
    if (outcome === null) return 'skipped';
    this.ctx.outcome('checked');
    if (outcome === 'reject') this.ctx.outcome('rejected');
    return 'done';
  }

  /**
   * The automatic checks kept failing (e.g. a record that does not decrypt, a dependency away for
   * good): the application goes to a maker's review queue with the reason, instead of staying in
   * `processing`. A `submitted` application is first moved to `processing` (both transitions are
   * audited and published). Anything else — already decided or reviewed — is left alone.
   */
  async referForManualReview(
    applicationId: string,
    reason: { code: 'automatic_checks_failed'; attempts: number; error: string },
  ): Promise<'done' | 'skipped'> {
    const error = scrubString(reason.error).slice(0, 300);
    const referred = await this.ctx.store.transaction(async (tx) => {
      let app = await tx.lockApplication(applicationId);
      if (!app) return false;
      if (app.state === 'submitted') app = await this.ctx.move(tx, app, this.ctx.decide(app, 'start_processing', 'system'), SYSTEM, {}, {});
      if (app.state !== 'processing') return false;
      await this.ctx.move(
        tx,
        app,
        this.ctx.decide(app, 'refer_to_review', 'system'),
        SYSTEM,
        { findings: { checks: [], manualReview: { reason: reason.code, attempts: reason.attempts, error } } },
        { queue: 'maker', reason: reason.code, attempts: reason.attempts },
        `${reason.code}: ${reason.attempts} attempts; last error: ${error}`,
      );
      return true;
    });
    return referred ? 'done' : 'skipped';
  }

  private async evaluate(tx: KycTransaction, app: ApplicationRecord): Promise<ChecksOutcome> {
    // Reads asked together go out together (a pipelining store: four round trips instead of eight); each
    // runs after the lock this transaction holds.
    const [stored, metas] = await Promise.all([tx.readApplicant(app.id), tx.listDocuments(app.id)]);
    const data = stored?.data ?? {};
    if (!stored?.aadhaar || !data.name || !data.dateOfBirth || !data.pan || !data.address) {
      // submit() refuses incomplete applications, so this is a record changed behind the service's back.
      throw new KycError('invalid_state', `application ${app.id} is incomplete; cannot run checks`);
    }
    const [aadhaar, contents, identity] = await Promise.all([
      tx.revealAadhaar(stored.aadhaar.token),
      Promise.all(metas.map((meta) => tx.readDocumentContent(app.id, meta.id))),
      tx.applicationsWithSameIdentity(app.id),
    ]);
    const documents = metas.flatMap((meta, index) => {
      const doc = contents[index];
      return doc ? [{ id: meta.id, type: meta.type, contentType: meta.contentType, head: doc.content.subarray(0, 16) }] : [];
    });
    const duplicates = identity.candidate ? findDuplicates(identity.candidate, identity.others) : [];
    return runAutomaticChecks(
      {
        name: data.name,
        dateOfBirth: data.dateOfBirth,
        pan: data.pan,
        aadhaar,
        addressCountry: data.address.country,
        ...(data.passport !== undefined && { passport: data.passport }),
        ...(data.voterId !== undefined && { voterId: data.voterId }),
        ...(data.drivingLicence !== undefined && { drivingLicence: data.drivingLicence }),
        ...(data.ckycNumber !== undefined && { ckycNumber: data.ckycNumber }),
      },
      documents,
      duplicates,
      this.ctx.watchlist,
      this.ctx.clock(),
      { screening: this.ctx.features.isOn('sanctions-screening') },
    );
  }
}
