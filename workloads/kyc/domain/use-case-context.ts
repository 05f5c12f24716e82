// What every KYC use case shares: who calls, the options resolved once, and the steps each of them
// repeats — decide a transition with the state machine, apply it (the change, its audit record and its
// event in the caller's transaction) and find the application a caller may act on.
import { scrubString } from '../../shared/redact.js';
import type { Role } from '../../shared/roles.js';
import { type Actor, type ApplicationAction, type ApplicationState, decideTransition } from './application-state.js';
import { DEFAULT_MAX_OPEN_DRAFTS } from './drafts.js';
import { forbidden, invalidState, notFound } from './errors.js';
import { checkNotOwnApplication } from './maker-checker.js';
import type { ApplicationChanges, ApplicationRecord, FeatureSwitches, KycStore, KycTransaction, ParkedApplications } from './ports.js';
import type { WatchlistEntry } from './screening/screening.js';

export interface Caller {
  readonly id: string;
  readonly role: Role;
  readonly requestId?: string | undefined;
}

export type BusinessOutcome = 'created' | 'submitted' | 'approved' | 'rejected' | 'cancelled' | 'expired' | 'checked';

export interface KycServiceOptions {
  store: KycStore;
  watchlist: readonly WatchlistEntry[];
  /** Days a draft may stay untouched before it expires. */
  draftTtlDays?: number;
  /** Days an applicant has to resubmit after a maker asks for documents. */
  resubmissionTtlDays?: number;
  /** Most documents one application may hold. */
  maxDocuments?: number;
  /** Most drafts one customer may hold open at once. */
  maxOpenDrafts?: number;
  clock?: () => Date;
  /** The feature flags in force (docs/api.md, "Feature flags"); every feature on when absent. */
  features?: FeatureSwitches;
  onOutcome?: (outcome: BusinessOutcome) => void;
  /** With a KMS parking key: applications whose PII waits for the KMS (docs/security.md, "Writes while the KMS is away"). */
  parked?: ParkedApplications;
}

export const STAFF: readonly Role[] = ['maker', 'checker', 'admin'];
/** The states in which the applicant may still change their data and documents. */
export const EDITABLE: readonly ApplicationState[] = ['draft', 'resubmission_required'];
export const DAY_MS = 86_400_000;
/** Who acts for the service itself (checks, expiry, re-drives). */
export const SYSTEM: Caller = { id: 'system', role: 'admin' };

/** A service run outside the operator has no live settings: every feature is on. */
const ALL_FEATURES_ON: FeatureSwitches = { isOn: () => true };

/** The options with their defaults, resolved once and shared by every part of the service. */
export class UseCaseContext {
  readonly store: KycStore;
  readonly watchlist: readonly WatchlistEntry[];
  readonly clock: () => Date;
  readonly draftTtlMs: number;
  readonly resubmissionTtlMs: number;
  readonly maxDocuments: number;
  readonly maxOpenDrafts: number;
  readonly features: FeatureSwitches;
  readonly parked: ParkedApplications | undefined;
  private readonly onOutcome: ((outcome: BusinessOutcome) => void) | undefined;

  constructor(options: KycServiceOptions) {
    this.store = options.store;
    this.watchlist = options.watchlist;
    this.clock = options.clock ?? (() => new Date());
    this.draftTtlMs = (options.draftTtlDays ?? 30) * DAY_MS;
    this.resubmissionTtlMs = (options.resubmissionTtlDays ?? 30) * DAY_MS;
    this.maxDocuments = options.maxDocuments ?? 20;
    this.maxOpenDrafts = options.maxOpenDrafts ?? DEFAULT_MAX_OPEN_DRAFTS;
    this.features = options.features ?? ALL_FEATURES_ON;
    this.parked = options.parked;
    this.onOutcome = options.onOutcome;
  }

  outcome(outcome: BusinessOutcome): void {
    this.onOutcome?.(outcome);
  }

  decide(app: ApplicationRecord, action: ApplicationAction, actor: Actor) {
    const decision = decideTransition(app.state, action, actor);
    if (decision.ok) return decision.transition;
    if (decision.refusal.kind === 'forbidden_actor') throw forbidden(decision.refusal.message);
    throw invalidState(decision.refusal.message);
  }

  /** Applies a transition: the state change, its audit record and its event, in the caller's transaction. */
  async move(
    tx: KycTransaction,
    app: ApplicationRecord,
    transition: { to: ApplicationState; action: ApplicationAction; event: string },
    caller: Caller,
    changes: ApplicationChanges,
    eventData: Record<string, unknown>,
    note?: string,
  ): Promise<ApplicationRecord> {
    const moved = await tx.updateApplication(app.id, { ...changes, state: transition.to });
    await tx.audit({
      applicationId: app.id,
      actorId: caller.id,
      actorRole: caller.id === 'system' ? 'system' : caller.role,
      action: transition.action,
      fromState: app.state,
      toState: transition.to,
      detail: note !== undefined ? { note: scrubString(note) } : {},
      requestId: caller.requestId,
    });
    await tx.publish({
      type: transition.event,
      subject: app.id,
      actor: caller.id,
      data: { applicationId: app.id, ownerId: app.ownerId, fromState: app.state, toState: transition.to, ...eventData },
    });
    return moved;
  }
}

export function actorOf(caller: Caller): Actor {
  return caller.role === 'customer' ? 'applicant' : caller.role;
}

export function authoriseRead(caller: Caller, app: ApplicationRecord | null): asserts app is ApplicationRecord {
  if (!app) throw notFound();
  if (STAFF.includes(caller.role)) return;
  // Someone else's application does not exist as far as a customer can tell.
  if (caller.role !== 'customer' || app.ownerId !== caller.id) throw notFound();
}

export async function lockOwned(tx: KycTransaction, caller: Caller, id: string): Promise<ApplicationRecord> {
  if (caller.role !== 'customer') throw forbidden('only the applicant can change an application');
  const app = await tx.lockApplication(id);
  if (!app || app.ownerId !== caller.id) throw notFound();
  return app;
}

/** The application a member of staff is about to review, locked; refused if it is their own. */
export async function lockForReview(tx: KycTransaction, caller: Caller, id: string): Promise<ApplicationRecord> {
  const app = await lockExisting(tx, id);
  const own = checkNotOwnApplication(app.ownerId, caller.id);
  if (own) throw forbidden(own.message);
  return app;
}

export async function lockExisting(tx: KycTransaction, id: string): Promise<ApplicationRecord> {
  const app = await tx.lockApplication(id);
  if (!app) throw notFound();
  return app;
}
