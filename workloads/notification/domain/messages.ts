// What each template says, per channel: an e-mail has a subject and a plain-text body, an SMS one short
// line (a single 160-character GSM segment where the variables allow). Only the variables
// templates.ts let through reach a message; a missing one reads as a neutral phrase, never "undefined".
import type { Channel } from './providers.js';

export interface MessageContent {
  /** The e-mail subject (an SMS has none and ignores it). */
  subject: string;
  body: string;
}

type Vars = Record<string, string>;

interface Template {
  subject: (v: Vars) => string;
  email: (v: Vars) => string;
  sms: (v: Vars) => string;
}

const BANK = 'KYC';
const ref = (v: Vars) => v.applicationId ?? 'your application';

const TEMPLATES: Record<string, Template> = {
  application_received: {
    subject: () => 'We have received your KYC application',
    email: (v) =>
      `We have received your KYC application (reference ${ref(v)}).\n\n` +
      'We are checking your documents now and will write to you when there is a decision or if we need anything else.',
    sms: (v) => `${BANK}: we received your KYC application ${ref(v)}. We will tell you when it is decided.`,
  },
  documents_requested: {
    subject: () => 'We need more from you for your KYC application',
    email: (v) =>
      `To continue with your KYC application (reference ${ref(v)}) we need more from you.\n\n` +
      (v.documents !== undefined ? `Please upload: ${v.documents}.\n` : '') +
      (v.note !== undefined ? `Our reviewer's note: ${v.note}\n` : '') +
      '\nSign in to upload them and resubmit your application. If you do not, the application expires.',
    sms: (v) =>
      `${BANK}: your KYC application needs more from you${v.documents !== undefined ? ` (${v.documents})` : ''}. Please sign in to resubmit.`,
  },
  application_approved: {
    subject: () => 'Your KYC application is approved',
    email: (v) => `Your KYC application (reference ${ref(v)}) is approved. You do not need to do anything else.`,
    sms: (v) => `${BANK}: your KYC application ${ref(v)} is approved.`,
  },
  application_rejected: {
    subject: () => 'Your KYC application was not approved',
    email: (v) =>
      `We could not approve your KYC application (reference ${ref(v)}): ${v.reason ?? 'it does not meet our KYC requirements'}.\n\n` +
      'You may start a new application, or contact your branch if you have questions.',
    sms: (v) => `${BANK}: your KYC application ${ref(v)} was not approved. Details are in your e-mail and in the app.`,
  },
  application_expired: {
    subject: () => 'Your KYC application has expired',
    email: (v) => `Your KYC application (reference ${ref(v)}) expired before it was completed. You may start a new one at any time.`,
    sms: (v) => `${BANK}: your KYC application ${ref(v)} has expired. You may start a new one.`,
  },
  application_cancelled: {
    subject: () => 'Your KYC application is cancelled',
    email: (v) => `Your KYC application (reference ${ref(v)}) is cancelled, as asked.`,
    sms: (v) => `${BANK}: your KYC application ${ref(v)} is cancelled.`,
  },
  rekyc_due: {
    subject: () => 'Time to update your KYC',
    email: (v) =>
      `The law asks us to update your KYC details from time to time${v.dueOn !== undefined ? `; yours are due on ${v.dueOn}` : ''}.\n\n` +
      'Please sign in and start a KYC update before then.',
    sms: (v) => `${BANK}: your KYC update is due${v.dueOn !== undefined ? ` on ${v.dueOn}` : ''}. Please sign in to update it.`,
  },
};

/** The message a template renders to on a channel; an unknown template is a programming error. */
export function renderMessage(template: string, channel: Channel, variables: Vars): MessageContent {
  const t = TEMPLATES[template];
  if (!t) throw new Error(`no message for template ${template}`);
  return { subject: t.subject(variables), body: channel === 'email' ? `${t.email(variables)}\n` : t.sms(variables) };
}

export const MESSAGE_TEMPLATES = Object.keys(TEMPLATES);
