// Turns domain events into notifications on every channel: record the request, send through the
// channel's provider, record the outcome. Delivery is at least once: the consumer commits an event's
// offset only after this returns, i.e. after every channel's outcome is recorded, so a crash anywhere
// before that redelivers the event. It is idempotent: (event, channel) is unique in PostgreSQL, a pair
// with a recorded outcome is skipped, and a pair left `requested` by a crash is sent again under its
// first notification id, which idempotent providers take as their idempotency key. A provider that
// takes none (SMTP) is never handed the same message twice: a pair whose hand-over had started before
// the crash is dead-lettered as uncertain instead (docs/notifications.md, "Nothing twice"). A channel
// an admin switched off (notifications-email, notifications-sms) sends nothing: its message is recorded
// as suppressed.
//
// Each provider sits behind a breaker and a retry with backoff (resilience.ts, docs/notifications.md,
// "Failures"): a message whose tries all fail is a dead letter; while a breaker is open the event is
// not acknowledged (handle throws) and comes back later, so an outage delays messages, never drops them.
import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '../../shared/events.js';
import { renderMessage } from './messages.js';
import type { ChannelFlag, ClaimedNotification, Counters, DeadLetterReason, FeatureSwitches, Log, NotificationStore } from './ports.js';
import { NoRecipientError } from './providers.js';
import type { Channel, NotificationProvider } from './providers.js';
import { CircuitBreaker, RetriesExhausted, retry } from './resilience.js';
import type { BreakerOptions, RetryPolicy } from './resilience.js';
import { notificationFor } from './templates.js';

const CHANNEL_FLAGS: Readonly<Record<Channel, ChannelFlag>> = { email: 'notifications-email', sms: 'notifications-sms' };

export interface DeliveryPolicy {
  retry: RetryPolicy;
  breaker: BreakerOptions;
  /** For tests: how the retry waits, and the breaker's clock. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  retry: { attempts: 3, baseDelayMs: 500, maxDelayMs: 5000 },
  // Counted per message (after its retries), so a few undeliverable messages do not stop a channel.
  breaker: { failureThreshold: 5, openMs: 30_000 },
};

/** A provider's breaker is open: nothing goes out on its channel now; the event is delivered again later. */
export class ProviderUnavailableError extends Error {
  constructor(readonly channel: Channel) {
    super(`the ${channel} provider is failing; its circuit breaker is open`);
    this.name = 'ProviderUnavailableError';
  }
}

export class Notifier {
  private readonly breakers: Map<NotificationProvider, CircuitBreaker>;

  constructor(
    private readonly repository: NotificationStore,
    private readonly providers: NotificationProvider[],
    private readonly logger: Log,
    private readonly metrics: Counters,
    private readonly features: FeatureSwitches = { isOn: () => true },
    private readonly policy: DeliveryPolicy = DEFAULT_DELIVERY_POLICY,
  ) {
    this.breakers = new Map(providers.map((p) => [p, new CircuitBreaker(policy.breaker, policy.now)]));
  }

  /** The breaker state per channel (for /health details and tests). */
  breakerStates(): Record<string, string> {
    return Object.fromEntries(this.providers.map((p) => [p.channel, this.breakers.get(p)?.state ?? 'closed']));
  }

  async handle(event: EventEnvelope): Promise<void> {
    const request = notificationFor(event);
    if (!request) return;
    for (const provider of this.providers) {
      const notification = await this.repository.claim({
        id: randomUUID(),
        sourceEventId: event.id,
        sourceEventType: event.type,
        userId: request.userId,
        channel: provider.channel,
        template: request.template,
      });
      if (!notification) continue;
      if (!this.features.isOn(CHANNEL_FLAGS[provider.channel])) {
        if (await this.repository.finish(notification, { status: 'suppressed' })) this.count(provider.channel, 'suppressed');
        this.logger.info(
          { notificationId: notification.id, channel: provider.channel, template: request.template, flag: CHANNEL_FLAGS[provider.channel] },
          'notification suppressed: channel switched off',
        );
        continue;
      }
      if (notification.sendStarted && !provider.idempotent) {
        const error = 'the service stopped between handing the message to the provider and recording the outcome; not sent again';
        await this.deadLetter(notification, 'uncertain', 0, error);
        continue;
      }
      await this.deliver(provider, notification, request.variables);
    }
  }

  private async deliver(
    provider: NotificationProvider,
    notification: ClaimedNotification,
    variables: Record<string, string>,
  ): Promise<void> {
    const breaker = this.breakers.get(provider) as CircuitBreaker;
    if (!breaker.allows()) throw new ProviderUnavailableError(provider.channel);
    const { channel, template } = notification;
    const content = renderMessage(template, channel, variables);
    await this.repository.markSendStarted(notification);
    try {
      const { tries } = await retry(
        () => provider.send({ id: notification.id, channel, userId: notification.userId, template, variables, ...content }),
        this.policy.retry,
        (error) => !(error instanceof NoRecipientError),
        this.policy.sleep,
      );
      breaker.succeeded();
      if (await this.repository.finish(notification, { status: 'sent' })) this.count(channel, 'sent');
      this.logger.info({ notificationId: notification.id, channel, template, tries }, 'notification sent');
    } catch (caught) {
      const { tries, last } = caught instanceof RetriesExhausted ? caught : new RetriesExhausted(1, caught);
      if (last instanceof NoRecipientError) {
        // Nothing to try again and nothing an operator can replay: failed, not a dead letter.
        if (await this.repository.finish(notification, { status: 'failed', error: last.message })) this.count(channel, 'failed');
        this.logger.info({ notificationId: notification.id, channel, template }, 'notification not sent: no address on record');
        return;
      }
      breaker.failed();
      await this.deadLetter(notification, 'exhausted', tries, (last as Error)?.message ?? String(last));
    }
  }

  private async deadLetter(notification: ClaimedNotification, reason: DeadLetterReason, tries: number, error: string): Promise<void> {
    const { channel } = notification;
    if (await this.repository.finish(notification, { status: 'failed', error, deadLetter: { reason, tries } })) {
      this.count(channel, 'failed');
      this.metrics
        .counter('kyc_notification_dead_letters_total', 'Notifications given up on and kept in notification.dead_letters', [
          'channel',
          'reason',
        ])
        .inc({ channel, reason });
    }
    // The error text of a provider names no recipient (the adapters keep addresses out of their errors).
    this.logger.warn(
      { notificationId: notification.id, channel, template: notification.template, reason, tries, error },
      'notification dead-lettered',
    );
  }

  private count(channel: Channel, outcome: string): void {
    this.metrics
      .counter('kyc_notifications_total', 'Notifications by channel and outcome', ['channel', 'outcome'])
      .inc({ channel, outcome });
  }
}
