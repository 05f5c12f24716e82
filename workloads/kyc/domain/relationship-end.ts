// The end of a customer relationship (docs/retention.md, "When the relationship ends"): the bank's systems
// tell the platform that a customer's relationship ended (an account closure, say), and the customer's KYC
// records — their approved applications — are kept KYC_RECORD_RETENTION_YEARS after that day, then erased by
// the housekeeping's retention sweep (Erasure.eraseRetentionOver), unless a legal hold stands.
//
// Per approved application of the customer, on a signal that the relationship ended on day E:
//   erased already .......................... nothing left to keep
//   approved after E ........................ a later relationship (the customer applied again): untouched
//   no date yet, or a later date ............ kept until the end of E's day + 5 years (earlier dates win)
//   an earlier date (a signal or a request) . unchanged: a second signal never extends a retention
// Applications not approved are not KYC records of a relationship: closed ones have their own clock, open
// ones are decided first. A signal that finds no approved application changes nothing and says why.
import { invalidState, notFound, validationFailed, type KycError } from './errors.js';
import type { ErasableApplication } from './erasure.js';

export const RELATIONSHIP_END_REASONS = ['account_closed', 'customer_deceased', 'terminated_by_bank', 'other'] as const;
export type RelationshipEndReason = (typeof RELATIONSHIP_END_REASONS)[number];

/** What the bank's systems said: the day the relationship ended and why (a closed list: no free text, no personal data). */
export interface RelationshipEndSignal {
  /** 00:00 UTC of the day it ended (`endedOn`, YYYY-MM-DD). */
  readonly endedOn: Date;
  readonly reason: RelationshipEndReason;
}

export type RelationshipRetention =
  | { readonly applicationId: string; readonly action: 'retain'; readonly until: Date }
  | { readonly applicationId: string; readonly action: 'unchanged'; readonly until: Date }
  | { readonly applicationId: string; readonly action: 'none' };

const DAY_MS = 86_400_000;
/** The bank's day may already have begun east of UTC (the latest zone is UTC+14). */
const AHEAD_OF_UTC_MS = 14 * 3_600_000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const FIELDS = new Set(['endedOn', 'reason']);

/** The signal's body `{endedOn, reason}`, checked against `now`; a validation error names the field. Pure. */
export function relationshipEndOf(body: unknown, now: Date): RelationshipEndSignal {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw validationFailed([{ field: 'body', message: 'must be an object {endedOn, reason}' }]);
  const unknown = Object.keys(body).filter((key) => !FIELDS.has(key));
  if (unknown.length > 0)
    throw validationFailed(unknown.slice(0, 5).map((field) => ({ field, message: 'is not a field of this request' })));
  const { endedOn, reason } = body as { endedOn?: unknown; reason?: unknown };
  const errors: { field: string; message: string }[] = [];
  const day = typeof endedOn === 'string' ? dayOf(endedOn) : undefined;
  if (!day) errors.push({ field: 'endedOn', message: 'must be a calendar date YYYY-MM-DD' });
  else if (day.getTime() > now.getTime() + AHEAD_OF_UTC_MS)
    errors.push({ field: 'endedOn', message: 'must not be in the future: signal the end once it has happened' });
  if (typeof reason !== 'string' || !(RELATIONSHIP_END_REASONS as readonly string[]).includes(reason))
    errors.push({ field: 'reason', message: `must be one of ${RELATIONSHIP_END_REASONS.join(', ')}` });
  if (errors.length > 0 || !day) throw validationFailed(errors);
  return { endedOn: day, reason: reason as RelationshipEndReason };
}

function dayOf(text: string): Date | undefined {
  const match = ISO_DAY.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  // 2026-02-30 rolls over into March: not a calendar date.
  return year >= 1900 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? date : undefined;
}

/**
 * What a relationship that ended on `endedOn` does to one application, whose retention would end at
 * `until` (the end of that day + the retention years: yearsAfter in erasure.ts). Pure.
 */
export function retentionOnRelationshipEnd(app: ErasableApplication, endedOn: Date, until: Date): RelationshipRetention {
  if (app.erasedAt || app.state !== 'approved') return { applicationId: app.id, action: 'none' };
  // Approved after the day it ended: a new relationship, with a clock of its own when that one ends.
  if (app.decidedAt && app.decidedAt.getTime() >= endedOn.getTime() + DAY_MS) return { applicationId: app.id, action: 'none' };
  if (app.retainUntil && app.retainUntil.getTime() <= until.getTime())
    return { applicationId: app.id, action: 'unchanged', until: app.retainUntil };
  return { applicationId: app.id, action: 'retain', until };
}

/** The error for a signal that found nothing to keep: 404 without applications, 409 without an approved one. */
export function nothingToRetain(applications: readonly ErasableApplication[], endedOn: Date): KycError {
  if (applications.length === 0) return notFound('customer');
  return invalidState(
    `the customer has no approved application on or before ${endedOn.toISOString().slice(0, 10)} that is not erased: no KYC record to keep`,
  );
}

/** The end of the day the relationship ended: the retention years count from there (docs/retention.md). */
export function endOfDay(endedOn: Date): Date {
  return new Date(endedOn.getTime() + DAY_MS);
}
