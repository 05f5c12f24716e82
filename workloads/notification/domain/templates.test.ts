import { describe, expect, it } from '@jest/globals';
import { newEvent } from '../../shared/events.js';
import { notificationFor } from './templates.js';

describe('notificationFor', () => {
  it('notifies the owner when an application is approved', () => {
    expect(notificationFor(newEvent('kyc.application.approved', 'app-1', { applicationId: 'app-1', ownerId: 'u-1' }))).toEqual({
      userId: 'u-1',
      template: 'application_approved',
      variables: { applicationId: 'app-1' },
    });
  });

  it('ignores events without a template or without a recipient', () => {
    expect(notificationFor(newEvent('kyc.document.uploaded', 'app-1', { ownerId: 'u-1' }))).toBeUndefined();
    expect(notificationFor(newEvent('kyc.application.approved', 'app-1', {}))).toBeUndefined();
  });
});
