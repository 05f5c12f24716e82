import { describe, expect, it } from '@jest/globals';
import { newEvent } from '../../shared/events.js';
import { verifyWebhook } from './webhook-signature.js';
import { WebhookDispatcher, webhookPayload } from './webhooks.js';
import type { DispatchPolicy, DueDelivery, WebhookOutbox, WebhookTransport } from './webhooks.js';

const silent = { info: () => undefined, warn: () => undefined };
const policy: DispatchPolicy = { retry: { attempts: 3, baseDelayMs: 1000, maxDelayMs: 10_000 }, batch: 10, leaseMs: 30_000 };
const NOW = 1_700_000_000_000;

function counters() {
  const counted: string[] = [];
  return {
    counted,
    counter: (name: string) => ({ inc: (labels: Record<string, string>) => void counted.push(`${name} ${JSON.stringify(labels)}`) }),
  };
}

function outboxWith(delivery: DueDelivery) {
  const calls: string[] = [];
  const outbox: WebhookOutbox = {
    claimDue: () => Promise.resolve(calls.length === 0 ? [delivery] : []),
    delivered: (id, attempts, status) => Promise.resolve(void calls.push(`delivered ${id} ${attempts} ${status}`)),
    failed: (id, attempts, error, retryInMs) => Promise.resolve(void calls.push(`failed ${id} ${attempts} ${error} ${retryInMs}`)),
  };
  return { outbox, calls };
}

const due = (attempts: number): DueDelivery => ({
  id: 'd-1',
  webhookId: 'w-1',
  eventType: 'kyc.application.approved',
  payload: '{"type":"kyc.application.approved"}',
  attempts,
  url: 'https://hooks.integrator.example/kyc',
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
});

describe('webhook payloads', () => {
  it('when an application is approved, then the payload says its id and state and nothing else of it', () => {
    const event = newEvent(
      'kyc.application.approved',
      'app-1',
      { applicationId: 'app-1', ownerId: 'u-1', riskCategory: 'low' },
      'checker-1',
    );
    expect(JSON.parse(webhookPayload(event) as string)).toEqual({
      type: 'kyc.application.approved',
      timestamp: event.occurredAt,
      data: { applicationId: 'app-1', state: 'approved' },
    });
  });

  it('when the event is not one integrators receive, then there is no payload', () => {
    expect(webhookPayload(newEvent('kyc.document.uploaded', 'app-1', { applicationId: 'app-1' }, 'u-1'))).toBeUndefined();
  });
});

describe('WebhookDispatcher', () => {
  it('when the receiver answers 2xx, then the delivery is recorded delivered with a signature the receiver verifies', async () => {
    const { outbox, calls } = outboxWith(due(0));
    const sent: Array<{ headers: Record<string, string>; body: string }> = [];
    const transport: WebhookTransport = {
      post: (_url, headers, body) => {
        sent.push({ headers, body });
        return Promise.resolve(204);
      },
    };
    const metrics = counters();
    expect(await new WebhookDispatcher(outbox, transport, silent, metrics, policy, () => NOW).dispatchDue()).toBe(1);
    expect(calls).toEqual(['delivered d-1 1 204']);
    const [request] = sent;
    expect(request?.headers['webhook-timestamp']).toBe(String(NOW / 1000));
    expect(verifyWebhook(due(0).secret, request?.headers ?? {}, request?.body ?? '', NOW / 1000)).toBe('d-1');
    expect(metrics.counted).toEqual(['kyc_webhook_deliveries_total {"outcome":"delivered"}']);
  });

  it('when the receiver answers 500 with tries left, then it is due again after the backoff of that try', async () => {
    const { outbox, calls } = outboxWith(due(1));
    const transport: WebhookTransport = { post: () => Promise.resolve(500) };
    await new WebhookDispatcher(
      outbox,
      transport,
      silent,
      counters(),
      policy,
      () => NOW,
      () => 1,
    ).dispatchDue();
    // Second try failed: the ceiling is 1000 * 2 = 2000 ms, and a random 1 takes all of it.
    expect(calls).toEqual(['failed d-1 2 the receiver answered 500 2000']);
  });

  it('when the last try fails, then the delivery is dead and counted as a dead letter', async () => {
    const { outbox, calls } = outboxWith(due(2));
    const transport: WebhookTransport = { post: () => Promise.reject(new Error('connect ECONNREFUSED')) };
    const metrics = counters();
    await new WebhookDispatcher(outbox, transport, silent, metrics, policy, () => NOW).dispatchDue();
    expect(calls).toEqual(['failed d-1 3 connect ECONNREFUSED undefined']);
    expect(metrics.counted).toEqual([
      'kyc_webhook_deliveries_total {"outcome":"dead"}',
      'kyc_webhook_dead_letters_total {"event_type":"kyc.application.approved"}',
    ]);
  });
});
