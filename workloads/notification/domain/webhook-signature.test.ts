import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { runInThisContext } from 'node:vm';
import ts from 'typescript';
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

describe('the verifier in docs/customer-api.md', () => {
  /** The `verify-webhook` example of the guide, compiled as it stands. */
  async function documentedVerifier(): Promise<(secret: string, headers: Record<string, string>, body: string, nowMs: number) => string> {
    const guide = await readFile(fileURLToPath(new URL('../../../docs/customer-api.md', import.meta.url)), 'utf8');
    const source = /<!-- verify-webhook[^>]*-->\n```ts\n([\s\S]*?)```/.exec(guide)?.[1];
    if (source === undefined) throw new Error('docs/customer-api.md has no verify-webhook example');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    });
    const exports: Record<string, unknown> = {};
    // A CommonJS module body run as a function of its require and exports, as Node.js loads one.
    const load = runInThisContext(`(function (require, exports) {${outputText}\n})`) as (require: NodeJS.Require, exports: object) => void;
    load(createRequire(import.meta.url), exports);
    return exports.verifyKycWebhook as never;
  }

  it('accepts what the platform signs, and refuses a replay after five minutes, a changed body and another secret', async () => {
    const verify = await documentedVerifier();
    const secret = newSigningSecret();
    const body =
      '{"type":"kyc.application.approved","timestamp":"2026-12-05T09:40:12.345Z","data":{"applicationId":"a-1","state":"approved"}}';
    const headers = { ...webhookHeaders(secret, 'd-1', 1_700_000_000, body) };
    expect(verify(secret, headers, body, 1_700_000_000_000 + 299_000)).toBe('d-1');
    expect(() => verify(secret, headers, body, 1_700_000_000_000 + 301_000)).toThrow('refused as a replay');
    expect(() => verify(secret, headers, body.replace('approved"}', 'rejected"}'), 1_700_000_000_000)).toThrow('does not match');
    expect(() => verify(newSigningSecret(), headers, body, 1_700_000_000_000)).toThrow('does not match');
    expect(
      verify(
        SPEC_SECRET,
        { 'webhook-id': SPEC_ID, 'webhook-timestamp': String(SPEC_TIMESTAMP), 'webhook-signature': SPEC_SIGNATURE },
        SPEC_BODY,
        SPEC_TIMESTAMP * 1000,
      ),
    ).toBe(SPEC_ID);
  });
});
