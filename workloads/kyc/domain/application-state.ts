// The life of a KYC application (docs/kyc.md, "State machine"), as a table: which action moves which
// state to which, and who may take it. The same table is installed into PostgreSQL (see
// data-access/migrations), so an illegal transition fails in the database even if a code path forgets
// to ask this module.

export const APPLICATION_STATES = [
  'draft',
  'submitted',
  'processing',
  'rejected',
  'pending_review',
  'pending_approval',
  'approved',
  'resubmission_required',
  'expired',
  'cancelled',
] as const;
export type ApplicationState = (typeof APPLICATION_STATES)[number];

/** Who acts: the applicant who owns the application, bank staff by role, or the platform itself. */
export type Actor = 'applicant' | 'maker' | 'checker' | 'admin' | 'system';

export const APPLICATION_ACTIONS = [
  'submit',
  'start_processing',
  'fail_checks',
  'pass_checks',
  'refer_to_review',
  'recommend',
  'request_resubmission',
  'approve',
  'reject',
  'return',
  'expire',
  'cancel',
] as const;
export type ApplicationAction = (typeof APPLICATION_ACTIONS)[number];

export interface Transition {
  readonly action: ApplicationAction;
  readonly from: ApplicationState;
  readonly to: ApplicationState;
  readonly actors: readonly Actor[];
  /** The event published when the transition happens. */
  readonly event: string;
}

/** States from which the applicant (or an admin) can still cancel. */
export const OPEN_STATES: readonly ApplicationState[] = [
  'draft',
  'submitted',
  'processing',
  'pending_review',
  'pending_approval',
  'resubmission_required',
];
export const TERMINAL_STATES: readonly ApplicationState[] = ['approved', 'rejected', 'expired', 'cancelled'];

export const TRANSITIONS: readonly Transition[] = [
  { action: 'submit', from: 'draft', to: 'submitted', actors: ['applicant'], event: 'kyc.application.submitted' },
  {
    action: 'submit',
    from: 'resubmission_required',
    to: 'submitted',
    actors: ['applicant'],
    event: 'kyc.application.submitted',
  },
  {
    action: 'start_processing',
    from: 'submitted',
    to: 'processing',
    actors: ['system'],
    event: 'kyc.application.processing_started',
  },
  { action: 'fail_checks', from: 'processing', to: 'rejected', actors: ['system'], event: 'kyc.application.rejected' },
  {
    action: 'pass_checks',
    from: 'processing',
    to: 'pending_review',
    actors: ['system'],
    event: 'kyc.application.review_assigned',
  },
  // The automatic checks could not complete (they kept failing): a person reviews the application
  // instead of it waiting in `processing` for ever. The reason is in the audit record and the event.
  {
    action: 'refer_to_review',
    from: 'processing',
    to: 'pending_review',
    actors: ['system'],
    event: 'kyc.application.review_assigned',
  },
  {
    action: 'recommend',
    from: 'pending_review',
    to: 'pending_approval',
    actors: ['maker'],
    event: 'kyc.application.recommended',
  },
  {
    action: 'request_resubmission',
    from: 'pending_review',
    to: 'resubmission_required',
    actors: ['maker'],
    event: 'kyc.application.resubmission_requested',
  },
  { action: 'approve', from: 'pending_approval', to: 'approved', actors: ['checker'], event: 'kyc.application.approved' },
  { action: 'reject', from: 'pending_approval', to: 'rejected', actors: ['checker'], event: 'kyc.application.rejected' },
  {
    action: 'return',
    from: 'pending_approval',
    to: 'pending_review',
    actors: ['checker'],
    event: 'kyc.application.review_assigned',
  },
  { action: 'expire', from: 'draft', to: 'expired', actors: ['system'], event: 'kyc.application.expired' },
  {
    action: 'expire',
    from: 'resubmission_required',
    to: 'expired',
    actors: ['system'],
    event: 'kyc.application.expired',
  },
  ...OPEN_STATES.map((from): Transition => ({
    action: 'cancel',
    from,
    to: 'cancelled',
    actors: ['applicant', 'admin'],
    event: 'kyc.application.cancelled',
  })),
];

export type TransitionRefusal = { kind: 'illegal_transition'; message: string } | { kind: 'forbidden_actor'; message: string };

export type TransitionDecision = { ok: true; transition: Transition } | { ok: false; refusal: TransitionRefusal };

/** Decides whether `actor` may take `action` on an application in state `from`. */
export function decideTransition(from: ApplicationState, action: ApplicationAction, actor: Actor): TransitionDecision {
  const transition = TRANSITIONS.find((t) => t.from === from && t.action === action);
  if (!transition) {
    return { ok: false, refusal: { kind: 'illegal_transition', message: `cannot ${action} an application that is ${from}` } };
  }
  if (!transition.actors.includes(actor)) {
    return { ok: false, refusal: { kind: 'forbidden_actor', message: `a ${actor} cannot ${action} an application` } };
  }
  return { ok: true, transition };
}

/** Every distinct (from, to) pair: what the database trigger allows. */
export function allowedStatePairs(): ReadonlyArray<readonly [ApplicationState, ApplicationState]> {
  const seen = new Set<string>();
  const pairs: Array<readonly [ApplicationState, ApplicationState]> = [];
  for (const t of TRANSITIONS) {
    const key = `${t.from}>${t.to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    pairs.push([t.from, t.to]);
  }
  return pairs;
}

export function isApplicationState(value: unknown): value is ApplicationState {
  return typeof value === 'string' && (APPLICATION_STATES as readonly string[]).includes(value);
}
