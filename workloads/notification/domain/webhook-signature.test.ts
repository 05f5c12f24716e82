import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { newSigningSecret, signWebhook, verifyWebhook, webhookHeaders } from './webhook-signature.js';

// The test vector of the Standard Webhooks specification (its reference libraries' tests).
const SPEC_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SPEC_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const SPEC_TIMESTAMP = 1614265330;
const SPEC_BODY = '{"test": 2432232314}';
const SPEC_SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

describe('webhook signatures', () => {
  it('when signing the specification’s example, then the signature is the specification’s', () => {
    expect(signWebhook(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)).toBe(SPEC_SIGNATURE);
  });

  it('signs "id.timestamp.body" with HMAC-SHA256 under the secret’s decoded bytes', () => {
    const secret = newSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const mac = createHmac('sha256', key).update('id-1.1700000000.{"a":1}').digest('base64');
    expect(signWebhook(secret, 'id-1', 1700000000, '{"a":1}')).toBe(`v1,${mac}`);
  });

  it('when the headers are the ones sent, then the delivery verifies and its id is returned', () => {
    const secret = newSigningSecret();
    const headers = webhookHeaders(secret, 'd-1', 1700000000, '{"a":1}');
    expect(verifyWebhook(secret, { ...headers }, '{"a":1}', 1700000010)).toBe('d-1');
  });

  it('when one of several signatures matches (a rotation), then it verifies', () => {
    const secret = newSigningSecret();
    const good = signWebhook(secret, 'd-1', 1700000000, 'x');
    const headers = { 'webhook-id': 'd-1', 'webhook-timestamp': '1700000000', 'webhook-signature': `v1,AAAA ${good}` };
    expect(verifyWebhook(secret, headers, 'x', 1700000000)).toBe('d-1');
  });

  it.each([
    ['the body was changed', (h: Record<string, string>) => h, '{"a":2}', 1700000000, 'no signature matches'],
    ['the id was changed', (h: Record<string, string>) => ({ ...h, 'webhook-id': 'd-2' }), '{"a":1}', 1700000000, 'no signature matches'],
    [
      'the timestamp was moved',
      (h: Record<string, string>) => ({ ...h, 'webhook-timestamp': '1700000001' }),
      '{"a":1}',
      1700000000,
      'no signature matches',
    ],
    ['it is replayed after the tolerance', (h: Record<string, string>) => h, '{"a":1}', 1700000000 + 301, 'too old or too new'],
    ['its timestamp is in the future', (h: Record<string, string>) => h, '{"a":1}', 1700000000 - 301, 'too old or too new'],
    [
      'the timestamp is not a number',
      (h: Record<string, string>) => ({ ...h, 'webhook-timestamp': '1e9' }),
      '{"a":1}',
      1700000000,
      'not a number',
    ],
    ['the signature is missing', (h: Record<string, string>) => ({ ...h, 'webhook-signature': '' }), '{"a":1}', 1700000000, 'missing'],
  ])('when %s, then it is refused', (_, change, body, now, message) => {
    const secret = newSigningSecret();
    const headers = change({ ...webhookHeaders(secret, 'd-1', 1700000000, '{"a":1}') });
    expect(() => verifyWebhook(secret, headers, body, now)).toThrow(message);
  });

  it('when signed with another secret, then it is refused', () => {
    const headers = webhookHeaders(newSigningSecret(), 'd-1', 1700000000, 'x');
    expect(() => verifyWebhook(newSigningSecret(), { ...headers }, 'x', 1700000000)).toThrow('no signature matches');
  });
});
