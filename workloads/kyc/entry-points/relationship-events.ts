// The core banking system's word that a customer relationship ended (docs/retention.md, "When the
// relationship ends"): `customer.relationship.ended` on the inbound topic `core-banking.events`, keyed by
// the customer id, data `{customerId, endedOn, reason}`. A topic of its own rather than customer.events: the
// bank's system then needs write access to that topic only, and cannot put events the platform's services
// act on (customer.erasure.requested, say) beside it. The checks consumer hands it here; the same rule as the
// admin's POST /api/v1/customers/{customerId}/relationship-end applies, audited with the event id.
import type { EventEnvelope, Logger } from '../../shared/index.js';
import type { Erasure } from '../domain/erasure.js';
import { KycError } from '../domain/errors.js';

export const RELATIONSHIP_ENDED = 'customer.relationship.ended';

/** The topic core banking publishes to (with the deployment's KAFKA_TOPIC_PREFIX); kyc creates it at start. */
export function coreBankingTopic(prefix = ''): string {
  return `${prefix}core-banking.events`;
}

/** Actor names a publisher may give (`core-banking`); anything else is audited as `system`. */
const ACTOR = /^[a-z][a-z0-9-]{0,39}$/;

/**
 * Applies a relationship's end; false for any other event. A signal the rule refuses (a malformed date, a
 * customer without an approved application) is logged and dropped: a redelivery would be refused alike, so
 * retrying it would only hold the partition up. Other failures (PostgreSQL away) throw, and are retried.
 */
export async function handleRelationshipEnded(
  event: EventEnvelope,
  erasure: Pick<Erasure, 'endRelationship'>,
  logger: Logger,
): Promise<boolean> {
  if (event.type !== RELATIONSHIP_ENDED) return false;
  const { customerId, endedOn, reason } = event.data as { customerId?: unknown; endedOn?: unknown; reason?: unknown };
  if (customerId !== event.subject) {
    logger.warn({ eventId: event.id }, 'customer.relationship.ended: data.customerId is not the event subject; dropped');
    return true;
  }
  const actor = typeof event.actor === 'string' && ACTOR.test(event.actor) ? event.actor : 'system';
  try {
    const record = await erasure.endRelationship({ id: actor, role: 'system', requestId: event.id }, event.subject, { endedOn, reason });
    logger.info(
      { eventId: event.id, endedOn: record.endedOn, changed: record.applications.filter((a) => a.changed).length },
      'customer relationship ended: KYC records on the retention clock',
    );
  } catch (error) {
    if (!(error instanceof KycError)) throw error;
    logger.warn({ eventId: event.id, kind: error.kind, reason: error.message }, 'customer.relationship.ended refused; dropped');
  }
  return true;
}
