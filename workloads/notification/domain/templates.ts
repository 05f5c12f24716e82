// Which events notify the customer, and with which template.
import type { EventEnvelope } from '../../shared/events.js';

const TEMPLATES: Record<string, string> = {
  'kyc.application.submitted': 'application_received',
  'kyc.application.approved': 'application_approved',
  'kyc.application.rejected': 'application_rejected',
  'kyc.application.resubmission_requested': 'documents_requested',
  'kyc.application.expired': 'application_expired',
  'kyc.application.cancelled': 'application_cancelled',
  'customer.rekyc.due': 'rekyc_due',
};

export interface NotificationRequest {
  userId: string;
  template: string;
  variables: Record<string, string>;
}

/** The notification an event calls for, or undefined when it calls for none. */
export function notificationFor(event: EventEnvelope): NotificationRequest | undefined {
  const template = TEMPLATES[event.type];
  if (!template) return undefined;
  const data = event.data;
  const userId = typeof data.ownerId === 'string' ? data.ownerId : typeof data.customerId === 'string' ? data.customerId : undefined;
  if (userId === undefined) return undefined;
  const applicationId = typeof data.applicationId === 'string' ? data.applicationId : event.subject;
  return { userId, template, variables: { applicationId } };
}
