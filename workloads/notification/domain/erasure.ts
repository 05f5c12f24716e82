// The notification service's part of a customer's erasure request (docs/retention.md, "Notification"):
// kyc publishes customer.erasure.requested; this decides, per record class the service holds, what goes
// and what stays, and the outcome (notification.erasure.completed) names the classes — never data.
//
//   contacts (sealed e-mail address, phone number) ... erased: they serve only to reach the customer, and
//                                                       no law keeps them once the customer asks
//   message log (notifications: template, channel,     kept, pseudonymised: the customer's id is replaced,
//   status, dates; no address, no content) ........... so the rows name nobody; (event, channel) stays
//                                                       unique, which is what keeps a redelivered event from
//                                                       being sent again
//   dead letters (the same, with the provider's       kept, pseudonymised, for the same reason and for the
//   error; no address, no content) ................... operator still to look at them
// Handled once per request: a redelivered event finds the request recorded and does nothing.

/** The customer's id in a pseudonymised row: the same for everyone, so a kept row names nobody. */
export const ERASED_USER = 'erased';

export const NOTIFICATION_RECORD_CLASSES = {
  contacts: { action: 'erase' },
  message_log: {
    action: 'pseudonymise',
    reason: 'kept without the customer id (template, channel, status, dates; never an address or content): it keeps one message per event',
  },
  dead_letters: {
    action: 'pseudonymise',
    reason: "kept without the customer id (the provider's error; never an address or content) for the operator's review",
  },
} as const satisfies Record<string, { action: 'erase' } | { action: 'pseudonymise'; reason: string }>;
export type NotificationRecordClass = keyof typeof NOTIFICATION_RECORD_CLASSES;

/** What is erased and what is kept, per class: the outcome's body (no data). Pure. */
export function erasureOutcome(): { erased: NotificationRecordClass[]; kept: { record: NotificationRecordClass; reason: string }[] } {
  const erased: NotificationRecordClass[] = [];
  const kept: { record: NotificationRecordClass; reason: string }[] = [];
  for (const [record, rule] of Object.entries(NOTIFICATION_RECORD_CLASSES) as [
    NotificationRecordClass,
    (typeof NOTIFICATION_RECORD_CLASSES)[NotificationRecordClass],
  ][]) {
    if (rule.action === 'erase') erased.push(record);
    else kept.push({ record, reason: rule.reason });
  }
  return { erased, kept };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CUSTOMER_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** The request an event carries (customer.erasure.requested), checked; undefined for any other event. Pure. */
export function erasureRequestOf(event: {
  type: string;
  data: Record<string, unknown>;
}): { erasureRequestId: string; customerId: string } | undefined {
  if (event.type !== 'customer.erasure.requested') return undefined;
  const { erasureRequestId, customerId } = event.data;
  if (typeof erasureRequestId !== 'string' || !UUID.test(erasureRequestId)) return undefined;
  if (typeof customerId !== 'string' || !CUSTOMER_ID.test(customerId) || customerId === ERASED_USER) return undefined;
  return { erasureRequestId, customerId };
}

/** Storage: one transaction erases, pseudonymises, records the request and queues the outcome event. */
export interface NotificationErasureStore {
  /** False when the request was handled before (nothing done now). */
  erase(request: { erasureRequestId: string; customerId: string }, outcome: ReturnType<typeof erasureOutcome>): Promise<boolean>;
}

export interface ErasureLog {
  info(fields: object, message: string): void;
}

/** Handles customer.erasure.requested; other events are not its business (returns false). */
export async function handleErasureRequest(
  event: { type: string; data: Record<string, unknown> },
  store: NotificationErasureStore,
  logger: ErasureLog,
): Promise<boolean> {
  const request = erasureRequestOf(event);
  if (!request) return false;
  const done = await store.erase(request, erasureOutcome());
  logger.info(
    { erasureRequestId: request.erasureRequestId, handledNow: done },
    'erasure request: contacts erased, message log pseudonymised',
  );
  return true;
}
