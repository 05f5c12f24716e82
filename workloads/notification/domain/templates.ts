// Which events notify the customer, with which template, and what the message may say. Only what the
// bank may tell the applicant leaves this file: a rejection names the failed check only where that is
// safe to disclose (never screening or duplicate detection: a hint would tip a listed person off), and
// a checker's free-text note stays internal (it is in the audit trail).
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

/** Document types (docs/kyc.md) as the applicant knows them. */
const DOCUMENT_NAMES: Record<string, string> = {
  passport: 'passport',
  driving_licence: 'driving licence',
  aadhaar_possession_proof: 'proof of possession of Aadhaar',
  voter_id: 'voter ID card',
  nrega_job_card: 'NREGA job card',
  npr_letter: 'NPR letter',
  pan_card: 'PAN card',
  form_60: 'Form 60',
};

/** Failed automatic checks whose reason may be given; any other failure gets the general reason. */
const DISCLOSABLE_CHECKS: Record<string, string> = {
  document_formats: 'a document you uploaded could not be read as the kind of file it claims to be',
  identity_documents: 'an identity document number you gave is not valid',
};
export const GENERAL_REJECTION_REASON = 'your application does not meet our KYC requirements';

const MAX_NOTE = 300;

/** The notification an event calls for, or undefined when it calls for none. */
export function notificationFor(event: EventEnvelope): NotificationRequest | undefined {
  const template = TEMPLATES[event.type];
  if (!template) return undefined;
  const data = event.data;
  const userId = text(data.ownerId) ?? text(data.customerId);
  if (userId === undefined) return undefined;
  const variables: Record<string, string> = { applicationId: text(data.applicationId) ?? event.subject };
  if (template === 'application_rejected') variables.reason = rejectionReason(data);
  if (template === 'documents_requested') {
    const documents = Array.isArray(data.documents) ? data.documents.filter((d): d is string => typeof d === 'string') : [];
    if (documents.length > 0) variables.documents = documents.map((d) => DOCUMENT_NAMES[d] ?? d.replaceAll('_', ' ')).join(', ');
    // The reviewer's request is written to the applicant (and scrubbed of identity numbers by kyc).
    const note = text(data.reason);
    if (note !== undefined) variables.note = note.length > MAX_NOTE ? `${note.slice(0, MAX_NOTE - 1)}…` : note;
  }
  const due = text(data.dueOn);
  if (template === 'rekyc_due' && due !== undefined) variables.dueOn = due;
  return { userId, template, variables };
}

function rejectionReason(data: Record<string, unknown>): string {
  const failed = Array.isArray(data.failedChecks) ? data.failedChecks.filter((c): c is string => typeof c === 'string') : [];
  // One undisclosable failure among them and only the general reason is given.
  if (failed.length === 0 || failed.some((c) => DISCLOSABLE_CHECKS[c] === undefined)) return GENERAL_REJECTION_REASON;
  return failed.map((c) => DISCLOSABLE_CHECKS[c]).join('; ');
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
