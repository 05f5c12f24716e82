import { describe, expect, it } from '@jest/globals';
import { newEvent } from '../../shared/events.js';
import type { EventType } from '../../shared/events.js';
import { MESSAGE_TEMPLATES, renderMessage } from './messages.js';
import { notificationFor } from './templates.js';

const event = (type: EventType, data: Record<string, unknown>) =>
  newEvent(type, 'app-1', { applicationId: 'app-1', ownerId: 'u-1', ...data });

function rendered(type: EventType, data: Record<string, unknown> = {}) {
  const request = notificationFor(event(type, data));
  if (!request) throw new Error(`no notification for ${type}`);
  return {
    email: renderMessage(request.template, 'email', request.variables),
    sms: renderMessage(request.template, 'sms', request.variables),
  };
}

describe('renderMessage', () => {
  it('has a message for every event customers hear about, none reading "undefined", every SMS one segment', () => {
    const types: EventType[] = [
      'kyc.application.submitted',
      'kyc.application.approved',
      'kyc.application.rejected',
      'kyc.application.resubmission_requested',
      'kyc.application.expired',
      'kyc.application.cancelled',
      'customer.rekyc.due',
    ];
    const templates = types.map((type) => notificationFor(event(type, {}))?.template);
    expect([...templates].sort()).toEqual([...MESSAGE_TEMPLATES].sort());
    for (const type of types) {
      const { email, sms } = rendered(type);
      expect(`${email.subject} ${email.body} ${sms.body}`).not.toMatch(/undefined|null/);
      expect(sms.body.length).toBeLessThanOrEqual(160);
    }
  });

  it('when documents are requested, then the e-mail names them and carries the reviewer note', () => {
    const { email, sms } = rendered('kyc.application.resubmission_requested', {
      documents: ['passport', 'pan_card'],
      reason: 'The passport photo page is cut off',
    });
    expect(email.subject).toBe('We need more from you for your KYC application');
    expect(email.body).toContain('Please upload: passport, PAN card.');
    expect(email.body).toContain("Our reviewer's note: The passport photo page is cut off");
    expect(sms.body).toContain('(passport, PAN card)');
  });

  it('when checks rejected the application on a disclosable check, then the e-mail gives that reason', () => {
    const { email } = rendered('kyc.application.rejected', { decidedBy: 'automatic_checks', failedChecks: ['identity_documents'] });
    expect(email.body).toContain('an identity document number you gave is not valid');
  });

  it('when screening took part in a rejection, or a checker rejected, then only the general reason is given', () => {
    const screened = rendered('kyc.application.rejected', { failedChecks: ['identity_documents', 'sanctions_screening'] });
    expect(screened.email.body).toContain('does not meet our KYC requirements');
    expect(screened.email.body).not.toMatch(/screening|sanction|identity/i);
    const checker = rendered('kyc.application.rejected', { decidedBy: 'checker', reason: 'internal: PEP match on list X' });
    expect(checker.email.body).not.toContain('PEP');
    expect(checker.email.body).toContain('does not meet our KYC requirements');
  });

  it('when re-KYC is due, then the date is in the message', () => {
    expect(rendered('customer.rekyc.due', { dueOn: '2031-04-01' }).email.body).toContain('due on 2031-04-01');
  });
});
