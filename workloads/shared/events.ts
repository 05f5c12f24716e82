// Domain events on Kafka. Events travel in one topic per family (`kyc.events`, `customer.events`,
// `consent.events`, `notification.events`), keyed by the aggregate id (e.g. the application id), so
// every event of one application stays in order on one partition. The event's own name (e.g.
// `kyc.application.submitted`; the list is in docs/kyc.md, "Events") is in the envelope's `type` and in
// the `event-type` header.
import { randomUUID } from 'node:crypto';

export const EVENT_TYPES = [
  'kyc.application.created',
  'kyc.application.submitted',
  'kyc.application.processing_started',
  'kyc.application.review_assigned',
  'kyc.application.recommended',
  'kyc.application.approved',
  'kyc.application.rejected',
  'kyc.application.resubmission_requested',
  'kyc.application.expired',
  'kyc.application.cancelled',
  'kyc.document.uploaded',
  'kyc.check.completed',
  'kyc.check.failed',
  'kyc.screening.hit_found',
  'customer.risk_category.changed',
  'customer.rekyc.due',
  // A customer's erasure request, for the services holding their data elsewhere (docs/retention.md).
  'customer.erasure.requested',
  // A legal hold placed on / released from a customer: the services' retention sweeps pass them by meanwhile.
  'customer.legal_hold.placed',
  'customer.legal_hold.released',
  'consent.granted',
  'consent.withdrawn',
  'notification.requested',
  'notification.sent',
  'notification.failed',
  // What the notification service erased and kept for an erasure request (docs/retention.md).
  'notification.erasure.completed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_FAMILIES = ['kyc', 'customer', 'consent', 'notification'] as const;
export type EventFamily = (typeof EVENT_FAMILIES)[number];

export interface EventEnvelope<D = Record<string, unknown>> {
  id: string;
  type: string;
  /** The aggregate the event is about (application id, customer id, ...); also the Kafka key. */
  subject: string;
  occurredAt: string;
  /** Who caused it (user id or `system`). */
  actor?: string;
  data: D;
}

/** The topic of a family, with the deployment's prefix (KAFKA_TOPIC_PREFIX). */
export function familyTopic(family: EventFamily, prefix = ''): string {
  return `${prefix}${family}.events`;
}

export function topicForEvent(type: string, prefix = ''): string {
  const family = type.split('.')[0] as EventFamily;
  if (!EVENT_FAMILIES.includes(family)) throw new Error(`no topic for event type ${type}`);
  return familyTopic(family, prefix);
}

export function newEvent<D extends Record<string, unknown>>(type: EventType, subject: string, data: D, actor?: string): EventEnvelope<D> {
  return { id: randomUUID(), type, subject, occurredAt: new Date().toISOString(), ...(actor !== undefined && { actor }), data };
}

export function parseEnvelope(raw: Buffer | string | null): EventEnvelope | undefined {
  if (raw === null) return undefined;
  try {
    const value = JSON.parse(raw.toString()) as Partial<EventEnvelope>;
    if (typeof value.id !== 'string' || typeof value.type !== 'string' || typeof value.subject !== 'string') return undefined;
    if (typeof value.occurredAt !== 'string' || typeof value.data !== 'object' || value.data === null) return undefined;
    return value as EventEnvelope;
  } catch {
    return undefined;
  }
}
