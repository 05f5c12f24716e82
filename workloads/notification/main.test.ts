import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../shared/index.js';
import { notificationEnv } from './main.js';

const base = {
  DATABASE_URL: 'postgres://kyc@127.0.0.1:5432/kyc',
  KAFKA_BROKERS: '127.0.0.1:9092',
  AUTH_JWKS_URL: 'http://auth:8080/.well-known/jwks.json',
  REDIS_URL: 'redis://127.0.0.1:6379',
};
const keys = `k1:${randomBytes(32).toString('base64')}`;

describe('notificationEnv', () => {
  it('without SMTP or SMS settings, then the development providers stay and no contact key is needed', () => {
    const config = loadConfig(notificationEnv, base);
    expect(config.SMTP_HOST).toBeUndefined();
    expect(config.NOTIFICATION_SEND_ATTEMPTS).toBe(3);
  });

  it('with SMTP_HOST, then SMTP_FROM and the contact key ring are required', () => {
    expect(() => loadConfig(notificationEnv, { ...base, SMTP_HOST: 'mail.bank.example' })).toThrow(
      /SMTP_FROM.*NOTIFICATION_CONTACT_KEYS|NOTIFICATION_CONTACT_KEYS.*SMTP_FROM/s,
    );
    const config = loadConfig(notificationEnv, {
      ...base,
      SMTP_HOST: 'mail.bank.example',
      SMTP_FROM: 'KYC <kyc@bank.example>',
      NOTIFICATION_CONTACT_KEYS: keys,
    });
    expect([config.SMTP_PORT, config.SMTP_TLS]).toEqual([587, 'starttls']);
  });

  it('refuses an SMS gateway without its token, a username without a password, and a malformed key ring', () => {
    expect(() =>
      loadConfig(notificationEnv, { ...base, SMS_GATEWAY_URL: 'https://sms.example/v1', NOTIFICATION_CONTACT_KEYS: keys }),
    ).toThrow('SMS_GATEWAY_TOKEN');
    expect(() => loadConfig(notificationEnv, { ...base, SMTP_USERNAME: 'kyc' })).toThrow('SMTP_PASSWORD');
    expect(() => loadConfig(notificationEnv, { ...base, NOTIFICATION_CONTACT_KEYS: 'k1:short' })).toThrow('NOTIFICATION_CONTACT_KEYS');
  });
});
