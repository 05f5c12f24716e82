// Outbound webhooks for integrators (docs/customer-api.md, "Webhooks"): which events an integrator may
// subscribe to, what a delivery says, and the dispatcher that sends due deliveries with backoff and
// dead-letters them when the tries are spent.
//
//   event (Kafka) ──enqueue──▶ delivery `pending` (one per webhook and event, id = webhook-id header)
//        ▲ the consumer acknowledges after this        │ due: POST, signed
//                                                      ├── 2xx ─────────────▶ `delivered`
//                                                      ├── else, tries left ─▶ `pending`, due after backoff
//                                                      └── else ────────────▶ `dead` (dead letter, counted)
//
// At least once: a delivery whose outcome was not recorded (the service stopped mid-request) is tried
// again under the same id; receivers de-duplicate by webhook-id. Order is not guaranteed: a retried
// delivery may arrive after a later one; the payload carries the time the change happened.
import type { EventEnvelope } from '../../shared/events.js';
import type { Counters, Log } from './ports.js';
import { backoffMs } from './resilience.js';
import type { RetryPolicy } from './resilience.js';
import { webhookHeaders } from './webhook-signature.js';

/** The application's state after each event an integrator may subscribe to. */
export const WEBHOOK_EVENTS = {
  'kyc.application.submitted': 'submitted',
  'kyc.application.resubmission_requested': 'resubmission_required',
  'kyc.application.approved': 'approved',
  'kyc.application.rejected': 'rejected',
  'kyc.application.expired': 'expired',
  'kyc.application.cancelled': 'cancelled',
} as const;
export type WebhookEventType = keyof typeof WEBHOOK_EVENTS;
export const WEBHOOK_EVENT_TYPES = Object.keys(WEBHOOK_EVENTS) as WebhookEventType[];
/** Sent by the ping operation only, to every webhook that asks for it, whatever its filter. */
export const PING_EVENT = 'webhook.ping';

/**
 * The body of a delivery (the Standard Webhooks shape: type, timestamp, data). Only the application's id
 * and state: no name, number, document or reason — whoever receives it reads the rest through the API.
 */
export function webhookPayload(event: EventEnvelope): string | undefined {
  const state = WEBHOOK_EVENTS[event.type as WebhookEventType];
  if (state === undefined) return undefined;
  const applicationId = typeof event.data.applicationId === 'string' ? event.data.applicationId : event.subject;
  return JSON.stringify({ type: event.type, timestamp: event.occurredAt, data: { applicationId, state } });
}

export function pingPayload(now: Date): string {
  return JSON.stringify({ type: PING_EVENT, timestamp: now.toISOString(), data: {} });
}

/** A registered webhook, as the API shows it (the secret is never read back). */
export interface WebhookRow {
  id: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  createdBy: string;
  createdAt: Date;
}

/** Where webhooks are registered (data-access/webhooks.ts; the secret sealed). */
export interface WebhookRegistry {
  create(webhook: { url: string; eventTypes: string[]; description?: string; createdBy: string; secret: string }): Promise<WebhookRow>;
  list(): Promise<WebhookRow[]>;
  /** True if it existed; its deliveries go with it. */
  remove(id: string): Promise<boolean>;
  /** A delivery to one webhook only (the ping); undefined when there is no such webhook. */
  enqueueTo(webhookId: string, eventType: string, payload: string): Promise<string | undefined>;
  /** The webhook's dead deliveries, the latest failure first, at most `limit`; undefined when there is no such webhook. */
  deadDeliveries(webhookId: string, limit: number): Promise<DeadDelivery[] | undefined>;
  /**
   * Makes the webhook's dead deliveries (all, or those of `deliveryIds`) pending and due now, their tries counted
   * afresh: each goes out again under its first id (the receivers' webhook-id). Returns their ids; undefined when
   * there is no such webhook. A delivery that is not dead, or another webhook's, is left alone.
   */
  redeliverDead(webhookId: string, deliveryIds: readonly string[] | undefined): Promise<string[] | undefined>;
}

/** A delivery given up on, as the API shows it to operators (no personal data: the payload is an id and a state). */
export interface DeadDelivery {
  id: string;
  eventType: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  /** When the last try failed. */
  failedAt: Date;
}

/** A delivery due now, with its webhook's URL and (opened) signing secret. */
export interface DueDelivery {
  id: string;
  webhookId: string;
  eventType: string;
  payload: string;
  /** Tries made before this one. */
  attempts: number;
  url: string;
  secret: string;
}

export interface WebhookOutbox {
  /** Claims up to `limit` due deliveries, each hidden from other claimers for `leaseMs`. */
  claimDue(limit: number, leaseMs: number): Promise<DueDelivery[]>;
  delivered(id: string, attempts: number, status: number): Promise<void>;
  /** A failed try: due again in `retryInMs`, or dead (a dead letter) when it is undefined. */
  failed(id: string, attempts: number, error: string, retryInMs: number | undefined): Promise<void>;
}

/** One POST of a delivery; resolves with the HTTP status, rejects when no answer came (refused, timeout). */
export interface WebhookTransport {
  post(url: string, headers: Record<string, string>, body: string): Promise<number>;
}

export interface DispatchPolicy {
  /** Tries in all before a delivery is dead. */
  retry: RetryPolicy;
  /** Deliveries taken per pass. */
  batch: number;
  /** How long a claimed delivery stays hidden from other passes and replicas: longer than a request's timeout. */
  leaseMs: number;
}

export const DEFAULT_DISPATCH_POLICY: DispatchPolicy = {
  // About 1 + 2 + 4 + ... capped at 10 minutes: a receiver down for an hour still gets its deliveries.
  retry: { attempts: 10, baseDelayMs: 5_000, maxDelayMs: 600_000 },
  batch: 20,
  leaseMs: 60_000,
};

export class WebhookDispatcher {
  constructor(
    private readonly outbox: WebhookOutbox,
    private readonly transport: WebhookTransport,
    private readonly logger: Log,
    private readonly metrics: Counters,
    private readonly policy: DispatchPolicy = DEFAULT_DISPATCH_POLICY,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** Sends what is due now; returns how many deliveries it tried. */
  async dispatchDue(): Promise<number> {
    const due = await this.outbox.claimDue(this.policy.batch, this.policy.leaseMs);
    await Promise.all(due.map((delivery) => this.deliver(delivery)));
    return due.length;
  }

  private async deliver(delivery: DueDelivery): Promise<void> {
    const attempts = delivery.attempts + 1;
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'kyc-webhooks/1',
      ...webhookHeaders(delivery.secret, delivery.id, Math.floor(this.now() / 1000), delivery.payload),
    };
    let error: string;
    try {
      const status = await this.transport.post(delivery.url, headers, delivery.payload);
      if (status >= 200 && status < 300) {
        await this.outbox.delivered(delivery.id, attempts, status);
        this.count('delivered');
        this.logger.info({ deliveryId: delivery.id, webhookId: delivery.webhookId, attempts, status }, 'webhook delivered');
        return;
      }
      error = `the receiver answered ${status}`;
    } catch (caught) {
      error = (caught as Error).message;
    }
    const retryInMs = attempts < this.policy.retry.attempts ? backoffMs(this.policy.retry, attempts, this.random) : undefined;
    await this.outbox.failed(delivery.id, attempts, error.slice(0, 500), retryInMs);
    const fields = { deliveryId: delivery.id, webhookId: delivery.webhookId, eventType: delivery.eventType, attempts, error };
    if (retryInMs !== undefined) {
      this.count('retried');
      this.logger.info({ ...fields, retryInMs }, 'webhook delivery failed; retrying later');
      return;
    }
    this.count('dead');
    this.metrics
      .counter(
        'kyc_webhook_dead_letters_total',
        'Webhook deliveries given up on after every try (status dead in notification.webhook_deliveries)',
        ['event_type'],
      )
      .inc({ event_type: delivery.eventType });
    this.logger.warn(fields, 'webhook delivery dead-lettered');
  }

  private count(outcome: string): void {
    this.metrics.counter('kyc_webhook_deliveries_total', 'Webhook delivery tries by outcome', ['outcome']).inc({ outcome });
  }
}
