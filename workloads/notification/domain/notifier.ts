// Turns domain events into notifications on every channel: record the request, send through the
// channel's provider, record the outcome. Delivery is at least once: the consumer commits an event's
// offset only after this returns, i.e. after every channel's outcome is recorded, so a crash anywhere
// before that redelivers the event. It is idempotent: (event, channel) is unique in PostgreSQL, a pair
// with a recorded outcome is skipped, and a pair left `requested` by a crash is sent again under its
// first notification id, which providers take as their idempotency key. A channel an admin switched off
// (notifications-email, notifications-sms) sends nothing: its message is recorded as suppressed.
import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '../../shared/events.js';
import type { ChannelFlag, Counters, FeatureSwitches, Log, NotificationStore } from './ports.js';
import type { Channel, NotificationProvider } from './providers.js';
import { notificationFor } from './templates.js';

const CHANNEL_FLAGS: Readonly<Record<Channel, ChannelFlag>> = { email: 'notifications-email', sms: 'notifications-sms' };

export class Notifier {
  constructor(
    private readonly repository: NotificationStore,
    private readonly providers: NotificationProvider[],
    private readonly logger: Log,
    private readonly metrics: Counters,
    private readonly features: FeatureSwitches = { isOn: () => true },
  ) {}

  async handle(event: EventEnvelope): Promise<void> {
    const request = notificationFor(event);
    if (!request) return;
    const outcomes = this.metrics.counter('kyc_notifications_total', 'Notifications by channel and outcome', ['channel', 'outcome']);
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
        if (await this.repository.finish(notification, { status: 'suppressed' }))
          outcomes.inc({ channel: provider.channel, outcome: 'suppressed' });
        this.logger.info(
          { notificationId: notification.id, channel: provider.channel, template: request.template, flag: CHANNEL_FLAGS[provider.channel] },
          'notification suppressed: channel switched off',
        );
        continue;
      }
      try {
        await provider.send({
          id: notification.id,
          channel: provider.channel,
          userId: request.userId,
          template: request.template,
          variables: request.variables,
        });
        if (await this.repository.finish(notification, { status: 'sent' })) outcomes.inc({ channel: provider.channel, outcome: 'sent' });
        this.logger.info({ notificationId: notification.id, channel: provider.channel, template: request.template }, 'notification sent');
      } catch (error) {
        if (await this.repository.finish(notification, { status: 'failed', error: (error as Error).message }))
          outcomes.inc({ channel: provider.channel, outcome: 'failed' });
        this.logger.warn({ notificationId: notification.id, channel: provider.channel, err: error }, 'notification failed');
      }
    }
  }
}
