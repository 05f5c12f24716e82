// Erasure of a customer's personal data (docs/retention.md): on the customer's request (India's DPDP Act
// 2023) and when a kept record's retention period is over. What the bank must keep is kept and marked
// with the date it may go; the answer says which application went and which stays, and why.
//
// The rule (RBI KYC Master Direction, as docs/retention.md and the project's domain notes frame it):
//   approved application (a customer relationship) ... a KYC record: kept KYC_RECORD_RETENTION_YEARS after
//                                                       the relationship ends — the request ends it — then erased
//   rejected, expired, cancelled application ........... erased at once (no relationship began)
//   an application still open (draft … pending) ......... the request is refused: cancel it first
//   already erased ...................................... nothing left to do
//   a legal hold on the customer ........................ the request is refused, the sweeps pass them by
//
// A request's life, a table installed into PostgreSQL too (data-access/erasure-migration.ts):
//   received -> completed   everything erasable is erased, nothing is kept
//   received -> retained    erasable data erased; KYC records kept until `retainUntil`
//   retained -> completed   the housekeeping erased the kept records when their time came
//
// The request reaches the other services holding the customer's data as customer.erasure.requested (the
// outbox, in the request's transaction); each answers with its outcome (notification.erasure.completed),
// recorded in the request's `services` — `state` above is the kyc service's own part.
import { OPEN_STATES, type ApplicationState } from './application-state.js';
import { forbidden, invalidState, notFound, validationFailed } from './errors.js';
import {
  endOfDay,
  nothingToRetain,
  relationshipEndOf,
  retentionOnRelationshipEnd,
  type RelationshipEndReason,
} from './relationship-end.js';
import type { Caller } from './use-case-context.js';

export const ERASURE_STATES = ['received', 'retained', 'completed'] as const;
export type ErasureState = (typeof ERASURE_STATES)[number];
export const ERASURE_TRANSITIONS: readonly (readonly [ErasureState, ErasureState])[] = [
  ['received', 'completed'],
  ['received', 'retained'],
  ['retained', 'completed'],
];
export const KYC_RECORD_RETENTION_YEARS = 5;
export const RETENTION_REASON = 'kyc_record: RBI KYC Master Direction, 5 years after the relationship ends';

export function erasureTransitionAllowed(from: ErasureState, to: ErasureState): boolean {
  return ERASURE_TRANSITIONS.some(([f, t]) => f === from && t === to);
}

/** What the erasure needs of an application (no personal data). */
export interface ErasableApplication {
  readonly id: string;
  readonly state: ApplicationState;
  readonly erasedAt: Date | null;
  readonly retainUntil: Date | null;
  /** When it was decided (approved, rejected): a relationship's end applies to applications approved by then. */
  readonly decidedAt?: Date | null;
}

export type Disposition =
  | { readonly applicationId: string; readonly action: 'erase' }
  | { readonly applicationId: string; readonly action: 'retain'; readonly until: Date; readonly reason: string }
  | { readonly applicationId: string; readonly action: 'open' }
  | { readonly applicationId: string; readonly action: 'done' };

/** The years after `from`, on the same calendar day (29 February → 1 March). */
export function yearsAfter(from: Date, years: number): Date {
  const until = new Date(from.getTime());
  until.setUTCFullYear(until.getUTCFullYear() + years);
  return until;
}

/** What happens to one application when its customer asks for erasure at `requestedAt`. Pure. */
export function dispositionOf(app: ErasableApplication, requestedAt: Date): Disposition {
  if (app.erasedAt) return { applicationId: app.id, action: 'done' };
  if (OPEN_STATES.includes(app.state)) return { applicationId: app.id, action: 'open' };
  if (app.state === 'approved') {
    // Asked before (a retained record): the first request's date stands, a new one does not extend it.
    const until = app.retainUntil ?? yearsAfter(requestedAt, KYC_RECORD_RETENTION_YEARS);
    return { applicationId: app.id, action: 'retain', until, reason: RETENTION_REASON };
  }
  return { applicationId: app.id, action: 'erase' };
}

/** The services a request reaches beyond kyc, each answering with its own outcome (docs/retention.md). */
export const ERASURE_SERVICES = ['notification'] as const;
export type ErasureService = (typeof ERASURE_SERVICES)[number];

/** A service's part of a request: pending until its outcome event arrives; what it erased and kept (record classes, no data). */
export interface ServiceErasure {
  readonly state: 'pending' | 'completed';
  readonly completedAt?: string;
  readonly erased?: readonly string[];
  readonly kept?: readonly { readonly record: string; readonly reason: string }[];
}

const RECORD_CLASS = /^[a-z_]{1,40}$/;

/** The outcome a service reported (an event's data), checked; undefined when it is not one. Pure. */
export function serviceOutcomeOf(data: unknown): { erasureRequestId: string; outcome: ServiceErasure } | undefined {
  const d = (data ?? {}) as { erasureRequestId?: unknown; completedAt?: unknown; erased?: unknown; kept?: unknown };
  const classes = (list: unknown): list is string[] =>
    Array.isArray(list) && list.every((c) => typeof c === 'string' && RECORD_CLASS.test(c));
  const kept = Array.isArray(d.kept) ? (d.kept as { record?: unknown; reason?: unknown }[]) : undefined;
  if (typeof d.erasureRequestId !== 'string' || typeof d.completedAt !== 'string' || Number.isNaN(Date.parse(d.completedAt)))
    return undefined;
  if (!classes(d.erased) || !kept || !classes(kept.map((k) => k.record)) || !kept.every((k) => typeof k.reason === 'string'))
    return undefined;
  return {
    erasureRequestId: d.erasureRequestId,
    outcome: {
      state: 'completed',
      completedAt: d.completedAt,
      erased: d.erased,
      kept: kept.map((k) => ({ record: k.record as string, reason: (k.reason as string).slice(0, 300) })),
    },
  };
}

/** What a relationship's end did: each approved application of it, kept until when, and whether this signal set that date. */
export interface RelationshipEndRecord {
  readonly customerId: string;
  readonly endedOn: string;
  readonly reason: RelationshipEndReason;
  readonly applications: readonly { readonly applicationId: string; readonly retainUntil: string; readonly changed: boolean }[];
}

export interface ErasureRequestRecord {
  readonly id: string;
  readonly customerId: string;
  readonly requestedBy: string;
  readonly state: ErasureState;
  readonly requestedAt: Date;
  readonly completedAt: Date | null;
  readonly erased: readonly string[];
  readonly retained: readonly { readonly applicationId: string; readonly until: string; readonly reason: string }[];
  /** The other services' parts (ERASURE_SERVICES), pending until each reports. */
  readonly services: Readonly<Partial<Record<ErasureService, ServiceErasure>>>;
}

/** A legal hold (an investigation, a court order): no erasure for the customer while it stands. */
export interface LegalHold {
  readonly customerId: string;
  readonly placedBy: string;
  readonly reason: string;
  readonly placedAt: Date;
}

/** Storage for erasure (data-access/pg-erasure-store.ts); one transaction commits or rolls back together. */
export interface ErasureTransaction {
  /** The customer's applications, locked until the transaction ends. */
  lockCustomerApplications(customerId: string): Promise<ErasableApplication[]>;
  /** Deletes the application's personal data (applicant, documents, Aadhaar vault entry) and marks it erased. */
  eraseApplication(applicationId: string, erasedAt: Date): Promise<void>;
  retainApplication(applicationId: string, until: Date): Promise<void>;
  insertRequest(request: ErasureRequestRecord): Promise<void>;
  getRequest(id: string): Promise<ErasureRequestRecord | null>;
  /** Records a service's outcome unless one is recorded; returns the request's customer when recorded now. */
  recordServiceOutcome(requestId: string, service: ErasureService, outcome: ServiceErasure): Promise<string | undefined>;
  /** Queues an event in this transaction (the outbox). */
  publish(event: {
    type: 'customer.erasure.requested' | 'customer.legal_hold.placed' | 'customer.legal_hold.released';
    subject: string;
    data: Record<string, unknown>;
    actor: string;
  }): Promise<void>;
  /** Requests in `retained` whose every kept application is erased now: moved to completed. Returns their ids. */
  completeRetainedRequests(customerId: string, at: Date): Promise<string[]>;
  /** Rejected, expired and cancelled applications closed before `before` and not erased, locked. */
  lockClosedBefore(before: Date, limit: number): Promise<{ id: string; customerId: string }[]>;
  /** Kept applications whose time is up (retain_until ≤ now, not erased), locked. */
  lockRetentionOver(now: Date, limit: number): Promise<{ id: string; customerId: string }[]>;
  legalHold(customerId: string): Promise<LegalHold | null>;
  /** Places or replaces the customer's hold. */
  placeHold(hold: LegalHold): Promise<void>;
  /** Returns whether there was one. */
  releaseHold(customerId: string): Promise<boolean>;
  audit(entry: {
    applicationId: string;
    actorId: string;
    actorRole: string;
    action: string;
    detail: Record<string, unknown>;
    requestId?: string | undefined;
  }): Promise<void>;
}

export interface ErasureStore {
  transaction<T>(work: (tx: ErasureTransaction) => Promise<T>): Promise<T>;
}

const CUSTOMER_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

export class Erasure {
  constructor(
    private readonly store: ErasureStore,
    private readonly newId: () => string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * A customer asks for their own data to be erased; an admin asks for a customer (body `customerId`).
   * Refused while an application is still open. The audit trail of each application records the request
   * and its outcome, never the erased data.
   */
  async request(caller: Caller, body: unknown): Promise<ErasureRequestRecord> {
    const customerId = this.customerOf(caller, body);
    const now = this.clock();
    return this.store.transaction(async (tx) => {
      const applications = await tx.lockCustomerApplications(customerId);
      const hold = await tx.legalHold(customerId);
      if (hold)
        throw invalidState(
          `a legal hold placed at ${hold.placedAt.toISOString()} stops erasure for this customer: ask again once it is released`,
        );
      const dispositions = applications.map((app) => dispositionOf(app, now));
      const open = dispositions.filter((d) => d.action === 'open').map((d) => d.applicationId);
      if (open.length > 0)
        throw invalidState(
          `applications ${open.join(', ')} are still open: cancel them (or wait for the decision) before asking for erasure`,
        );
      const id = this.newId();
      const erased: string[] = [];
      const retained: { applicationId: string; until: string; reason: string }[] = [];
      for (const d of dispositions) {
        if (d.action === 'erase') {
          await tx.eraseApplication(d.applicationId, now);
          erased.push(d.applicationId);
        } else if (d.action === 'retain') {
          await tx.retainApplication(d.applicationId, d.until);
          retained.push({ applicationId: d.applicationId, until: d.until.toISOString(), reason: d.reason });
        }
        if (d.action === 'erase' || d.action === 'retain')
          await tx.audit({
            applicationId: d.applicationId,
            actorId: caller.id,
            actorRole: caller.role,
            action: d.action === 'erase' ? 'personal_data_erased' : 'personal_data_retained',
            detail: { erasureRequestId: id, ...(d.action === 'retain' && { retainUntil: d.until.toISOString(), reason: d.reason }) },
            requestId: caller.requestId,
          });
      }
      const record: ErasureRequestRecord = {
        id,
        customerId,
        requestedBy: caller.id,
        state: retained.length > 0 ? 'retained' : 'completed',
        requestedAt: now,
        completedAt: retained.length > 0 ? null : now,
        erased,
        retained,
        services: Object.fromEntries(ERASURE_SERVICES.map((service) => [service, { state: 'pending' }])),
      };
      await tx.insertRequest(record);
      // The notification service holds the customer's contact details: it erases its part on this event.
      await tx.publish({
        type: 'customer.erasure.requested',
        subject: customerId,
        data: { erasureRequestId: id, customerId },
        actor: caller.id,
      });
      return record;
    });
  }

  async get(caller: Caller, id: string): Promise<ErasureRequestRecord> {
    const record = await this.store.transaction((tx) => tx.getRequest(id));
    if (!record || (caller.role === 'customer' && record.customerId !== caller.id)) throw notFound('erasure request');
    if (caller.role !== 'customer' && caller.role !== 'admin') throw forbidden('only the customer or an admin may read an erasure request');
    return record;
  }

  /**
   * A service reported its part of a request (notification.erasure.completed): recorded once, audited on each
   * of the customer's applications with what it erased and kept (record classes, never data). Returns whether
   * recorded now; a redelivered or unknown outcome changes nothing.
   */
  async recordServiceOutcome(service: ErasureService, data: unknown): Promise<boolean> {
    const reported = serviceOutcomeOf(data);
    if (!reported) return false;
    return this.store.transaction(async (tx) => {
      const customerId = await tx.recordServiceOutcome(reported.erasureRequestId, service, reported.outcome);
      if (customerId === undefined) return false;
      const { erased, kept } = reported.outcome;
      await this.auditCustomer(tx, { id: 'system', role: 'system' }, customerId, `personal_data_erased_by_${service}`, {
        erasureRequestId: reported.erasureRequestId,
        erased,
        kept,
      });
      return true;
    });
  }

  /** An admin places (or replaces) a legal hold on a customer; audited on each of their applications. */
  async placeHold(caller: Caller, customerId: string, body: unknown): Promise<LegalHold> {
    this.requireAdmin(caller, customerId);
    const reason = (body as { reason?: unknown } | null | undefined)?.reason;
    if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > 500)
      throw validationFailed([{ field: 'reason', message: 'must say why, in 1 to 500 characters' }]);
    const hold: LegalHold = { customerId, placedBy: caller.id, reason: reason.trim(), placedAt: this.clock() };
    await this.store.transaction(async (tx) => {
      await tx.placeHold(hold);
      await this.auditCustomer(tx, caller, customerId, 'legal_hold_placed', { reason: hold.reason });
      // The other services' retention sweeps pass the customer by too (docs/retention.md); the reason stays here.
      await tx.publish({ type: 'customer.legal_hold.placed', subject: customerId, data: { customerId }, actor: caller.id });
    });
    return hold;
  }

  /** An admin releases a customer's legal hold; not_found when there is none. */
  async releaseHold(caller: Caller, customerId: string): Promise<void> {
    this.requireAdmin(caller, customerId);
    await this.store.transaction(async (tx) => {
      if (!(await tx.releaseHold(customerId))) throw notFound('legal hold');
      await this.auditCustomer(tx, caller, customerId, 'legal_hold_released', {});
      await tx.publish({ type: 'customer.legal_hold.released', subject: customerId, data: { customerId }, actor: caller.id });
    });
  }

  /**
   * The bank's systems say the customer's relationship ended (docs/retention.md, "When the relationship ends"):
   * an admin through the API, or core banking's `customer.relationship.ended` event (caller `system`). Each
   * approved application of that relationship is kept until five years after the end, the earliest date
   * winning; a repeat changes and audits nothing. A legal hold does not stop the clock, only the sweep.
   */
  async endRelationship(
    caller: Caller | { id: string; role: 'system'; requestId?: string },
    customerId: string,
    body: unknown,
  ): Promise<RelationshipEndRecord> {
    if (caller.role !== 'system') this.requireAdmin(caller, customerId, 'signal the end of a customer relationship');
    else if (!CUSTOMER_ID.test(customerId)) throw validationFailed([{ field: 'customerId', message: 'must be a customer id' }]);
    const signal = relationshipEndOf(body, this.clock());
    const until = yearsAfter(endOfDay(signal.endedOn), KYC_RECORD_RETENTION_YEARS);
    const endedOn = signal.endedOn.toISOString().slice(0, 10);
    return this.store.transaction(async (tx) => {
      const applications = await tx.lockCustomerApplications(customerId);
      const kept = applications.map((app) => retentionOnRelationshipEnd(app, signal.endedOn, until)).filter((r) => r.action !== 'none');
      if (kept.length === 0) throw nothingToRetain(applications, signal.endedOn);
      for (const r of kept) {
        if (r.action !== 'retain') continue;
        await tx.retainApplication(r.applicationId, r.until);
        await tx.audit({
          applicationId: r.applicationId,
          actorId: caller.id,
          actorRole: caller.role,
          action: 'relationship_ended',
          detail: { endedOn, reason: signal.reason, retainUntil: r.until.toISOString() },
          requestId: caller.requestId,
        });
      }
      return {
        customerId,
        endedOn,
        reason: signal.reason,
        applications: kept.map((r) => ({
          applicationId: r.applicationId,
          retainUntil: r.until.toISOString(),
          changed: r.action === 'retain',
        })),
      };
    });
  }

  private requireAdmin(caller: Caller, customerId: string, what = 'place or release a legal hold'): void {
    if (caller.role !== 'admin') throw forbidden(`only an admin may ${what}`);
    if (!CUSTOMER_ID.test(customerId)) throw validationFailed([{ field: 'customerId', message: 'must be a customer id' }]);
  }

  private async auditCustomer(
    tx: ErasureTransaction,
    caller: { id: string; role: string; requestId?: string | undefined },
    customerId: string,
    action: string,
    detail: Record<string, unknown>,
  ) {
    for (const app of await tx.lockCustomerApplications(customerId))
      await tx.audit({ applicationId: app.id, actorId: caller.id, actorRole: caller.role, action, detail, requestId: caller.requestId });
  }

  /** Housekeeping: erases kept records whose retention is over and completes their requests; returns how many applications. */
  async eraseRetentionOver(limit = 100): Promise<number> {
    const now = this.clock();
    return this.store.transaction(async (tx) => {
      const due = await tx.lockRetentionOver(now, limit);
      for (const app of due) {
        await tx.eraseApplication(app.id, now);
        await tx.audit({
          applicationId: app.id,
          actorId: 'system',
          actorRole: 'system',
          action: 'personal_data_erased',
          detail: { reason: 'retention_over' },
        });
      }
      for (const customerId of new Set(due.map((app) => app.customerId))) await tx.completeRetainedRequests(customerId, now);
      return due.length;
    });
  }

  /**
   * Housekeeping without a request: rejected, expired and cancelled applications (no customer relationship)
   * are erased `closedRetentionDays` after they closed. Returns how many.
   */
  async eraseClosed(closedRetentionDays: number, limit = 100): Promise<number> {
    const before = new Date(this.clock().getTime() - closedRetentionDays * 86_400_000);
    return this.store.transaction(async (tx) => {
      const due = await tx.lockClosedBefore(before, limit);
      for (const app of due) {
        await tx.eraseApplication(app.id, this.clock());
        await tx.audit({
          applicationId: app.id,
          actorId: 'system',
          actorRole: 'system',
          action: 'personal_data_erased',
          detail: { reason: 'closed_retention_over', closedRetentionDays },
        });
      }
      return due.length;
    });
  }

  private customerOf(caller: Caller, body: unknown): string {
    const asked = (body as { customerId?: unknown } | null | undefined)?.customerId;
    if (asked !== undefined && (typeof asked !== 'string' || !CUSTOMER_ID.test(asked)))
      throw validationFailed([{ field: 'customerId', message: 'must be a customer id' }]);
    if (caller.role === 'customer') {
      if (asked !== undefined && asked !== caller.id) throw forbidden('a customer may ask for the erasure of their own data only');
      return caller.id;
    }
    if (caller.role !== 'admin') throw forbidden('only the customer or an admin may ask for erasure');
    if (asked === undefined) throw validationFailed([{ field: 'customerId', message: 'is required when staff ask' }]);
    return asked;
  }
}
