import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import { notificationProviderEnv, notificationProviderNetwork } from './notification-providers.js';
import { renderEnv } from './env.js';

const withProviders = platform({
  dependencies: {
    smtp: { secretRef: { name: 'kyc-smtp' }, networkPeers: [{ ipBlock: { cidr: '10.20.0.25/32' } }], ports: [2525] },
    sms: { secretRef: { name: 'kyc-sms' }, networkPeers: [{ ipBlock: { cidr: '10.20.0.26/32' } }] },
  },
});

describe('notificationProviderEnv', () => {
  it('when smtp and sms name Secrets, then notification reads their settings and the contact key ring of the platform Secret', () => {
    const secret = withProviders.spec.secretsRef?.name as string;
    expect(notificationProviderEnv(withProviders.spec, 'notification')).toEqual([
      { name: 'SMTP_HOST', valueFrom: { secretKeyRef: { name: 'kyc-smtp', key: 'host' } } },
      { name: 'SMTP_FROM', valueFrom: { secretKeyRef: { name: 'kyc-smtp', key: 'from' } } },
      { name: 'SMTP_PORT', valueFrom: { secretKeyRef: { name: 'kyc-smtp', key: 'port', optional: true } } },
      { name: 'SMTP_TLS', valueFrom: { secretKeyRef: { name: 'kyc-smtp', key: 'tls', optional: true } } },
      { name: 'SMTP_USERNAME', valueFrom: { secretKeyRef: { name: 'kyc-smtp', key: 'username', optional: true } } },
      { name: 'SMTP_PASSWORD', valueFrom: { secretKeyRef: { name: 'kyc-smtp', key: 'password', optional: true } } },
      { name: 'SMS_GATEWAY_URL', valueFrom: { secretKeyRef: { name: 'kyc-sms', key: 'url' } } },
      { name: 'SMS_GATEWAY_TOKEN', valueFrom: { secretKeyRef: { name: 'kyc-sms', key: 'token' } } },
      { name: 'NOTIFICATION_CONTACT_KEYS', valueFrom: { secretKeyRef: { name: secret, key: 'contact-keys' } } },
    ]);
    expect(renderEnv(withProviders, 'notification').map((e) => e.name)).toEqual(
      expect.arrayContaining(['SMTP_HOST', 'NOTIFICATION_CONTACT_KEYS']),
    );
  });

  it('gives nothing to the other components, nor to notification without smtp or sms (the development provider stays)', () => {
    for (const other of ['gateway', 'kyc', 'auth', 'analytics'] as const)
      expect(notificationProviderEnv(withProviders.spec, other)).toEqual([]);
    expect(notificationProviderEnv(platform().spec, 'notification')).toEqual([]);
    expect(renderEnv(platform(), 'notification').map((e) => e.name)).not.toContain('SMTP_HOST');
  });
});

describe('notificationProviderNetwork', () => {
  it('is each provider of notification only, with its ports or the default (587 for SMTP, 443 for the SMS gateway)', () => {
    expect(notificationProviderNetwork(withProviders.spec, 'notification')).toEqual([
      { peers: [{ ipBlock: { cidr: '10.20.0.25/32' } }], ports: [2525] },
      { peers: [{ ipBlock: { cidr: '10.20.0.26/32' } }], ports: [443] },
    ]);
    expect(notificationProviderNetwork(withProviders.spec, 'kyc')).toEqual([]);
    expect(notificationProviderNetwork(platform().spec, 'notification')).toEqual([]);
  });
});

describe('spec.notifications.webhooks', () => {
  const receivers = { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'] } };
  const withWebhooks = (profile: 'development' | 'production') =>
    platform({ profile, notifications: { webhooks: { egress: [receivers] } } });

  it('when webhooks have egress peers, then notification may reach them on 443 (or the ports given), after the providers', () => {
    expect(notificationProviderNetwork(withWebhooks('production').spec, 'notification')).toEqual([{ peers: [receivers], ports: [443] }]);
    const both = platform({ ...withProviders.spec, notifications: { webhooks: { egress: [receivers], ports: [8443] } } });
    expect(notificationProviderNetwork(both.spec, 'notification').at(-1)).toEqual({ peers: [receivers], ports: [8443] });
    expect(notificationProviderNetwork(withWebhooks('production').spec, 'gateway')).toEqual([]);
  });

  it('when webhooks have no egress peers, then their rule has none (fail closed: the policy renders no rule for it)', () => {
    expect(notificationProviderNetwork(platform({ notifications: { webhooks: {} } }).spec, 'notification')).toEqual([
      { peers: [], ports: [443] },
    ]);
  });

  it('gives notification the key ring that seals the signing secrets, and plain http on a development platform only', () => {
    const secret = withProviders.spec.secretsRef?.name as string;
    expect(notificationProviderEnv(withWebhooks('production').spec, 'notification')).toEqual([
      { name: 'NOTIFICATION_CONTACT_KEYS', valueFrom: { secretKeyRef: { name: secret, key: 'contact-keys' } } },
    ]);
    expect(notificationProviderEnv(withWebhooks('development').spec, 'notification')).toContainEqual({
      name: 'NOTIFICATION_WEBHOOK_ALLOW_HTTP',
      value: 'true',
    });
  });
});
