// Signing of outbound webhooks, the Standard Webhooks scheme (https://www.standardwebhooks.com,
// docs/customer-api.md, "Webhooks"): the secret is `whsec_` + base64 of 32 random bytes; the signed
// content is `<webhook-id>.<webhook-timestamp>.<raw body>`; the signature header is `v1,<base64 of the
// HMAC-SHA256>`, several space-separated while a secret is being rotated. Receivers can use any Standard
// Webhooks library, or the few lines of `verifyWebhook`.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
/** How far a delivery's timestamp may be from the receiver's clock (either way) before it is refused. */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

export function newSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

function keyOf(secret: string): Buffer {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  if (key.length < 16) throw new Error('a webhook signing secret holds at least 16 bytes');
  return key;
}

/** The `webhook-signature` value for one delivery: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', keyOf(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export function webhookHeaders(secret: string, id: string, timestampSeconds: number, body: string): WebhookHeaders {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signWebhook(secret, id, timestampSeconds, body),
  };
}

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/**
 * What a receiver does with a delivery (the example in docs/customer-api.md is this function): refuse
 * a timestamp further than `toleranceSeconds` from now (a captured delivery replayed later), then
 * compare the signature in constant time over the raw body exactly as received. Replays within the
 * window are stopped by the receiver keeping the webhook-ids it has processed (at-least-once delivery
 * sends the same id again on a retry). Returns the id.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | undefined>,
  rawBody: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
  toleranceSeconds: number = DEFAULT_TOLERANCE_SECONDS,
): string {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature');
  if (!/^[0-9]{1,12}$/.test(timestamp)) throw new WebhookVerificationError('webhook-timestamp is not a number of seconds');
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds)
    throw new WebhookVerificationError('webhook-timestamp is too old or too new');
  const expected = Buffer.from(signWebhook(secret, id, Number(timestamp), rawBody));
  const matches = signatures
    .split(' ')
    .map((candidate) => Buffer.from(candidate))
    .some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
  if (!matches) throw new WebhookVerificationError('no signature matches');
  return id;
}
