// The notification service: consumes kyc and customer events, sends through channel providers, and
// publishes notification.requested|sent|failed through its outbox.
import { z } from 'zod';
import {
  OutboxRelay,
  authenticate,
  commonEnv,
  createKafka,
  createProducer,
  databaseEnv,
  ensureTopics,
  familyTopic,
  kafkaEnv,
  loadConfig,
  runUntilSignalled,
  startService,
  startTokenVerifier,
  tokenVerifierEnv,
} from '../shared/index.js';
import type { GatedConsumer, RunningService, StartOptions } from '../shared/index.js';
import { NotificationRepository } from './data-access/notifications.js';
import { NOTIFICATION_SCHEMA, migrations } from './data-access/migrations.js';
import { Notifier } from './domain/notifier.js';
import { CHANNELS, InMemoryProvider } from './domain/providers.js';
import type { Channel } from './domain/providers.js';
import { notificationRoutes } from './entry-points/routes.js';

const channelList = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  )
  .refine((list) => list.every((c) => (CHANNELS as readonly string[]).includes(c)), 'must list email and/or sms');

export const notificationEnv = commonEnv
  .extend(databaseEnv.shape)
  .extend(kafkaEnv.shape)
  .extend(tokenVerifierEnv.shape)
  .extend({
    NOTIFICATION_CHANNELS: channelList.prefault('email,sms'),
    /** Channels whose development provider fails every send (to exercise notification.failed). */
    NOTIFICATION_FAIL_CHANNELS: channelList,
    /** Simulated latency of the development provider per send (tests use it to crash mid-send). */
    NOTIFICATION_SEND_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  });

export type { StartOptions };

export type RunningNotification = RunningService<{ consumer: GatedConsumer; providers: InMemoryProvider[] }>;

export async function startNotification(options: StartOptions = {}): Promise<RunningNotification> {
  const config = loadConfig(notificationEnv, options.env);
  return startService({
    component: 'notification',
    config,
    options,
    database: { url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, schema: NOTIFICATION_SCHEMA, migrations },
    wire: async ({ service, pool, logger, consume, closing, onShutdown, liveSettings }) => {
      const kafka = createKafka(config.KAFKA_BROKERS, 'kyc-notification', logger);
      const topics = [
        familyTopic('kyc', config.KAFKA_TOPIC_PREFIX),
        familyTopic('customer', config.KAFKA_TOPIC_PREFIX),
        familyTopic('notification', config.KAFKA_TOPIC_PREFIX),
      ];
      await ensureTopics(kafka, topics, logger);
      const producer = await createProducer(kafka);
      onShutdown('producer', () => producer.disconnect());
      const relay = new OutboxRelay({ pool, schema: NOTIFICATION_SCHEMA, producer, logger, metrics: service.metrics });
      relay.start();
      onShutdown('outbox', () => relay.stop());
      const repository = new NotificationRepository(pool, config.KAFKA_TOPIC_PREFIX);
      const failing = new Set<Channel>(config.NOTIFICATION_FAIL_CHANNELS as Channel[]);
      const providers = (config.NOTIFICATION_CHANNELS as Channel[]).map(
        (channel) => new InMemoryProvider(channel, failing.has(channel), config.NOTIFICATION_SEND_DELAY_MS),
      );
      // notifications-email, notifications-sms: a channel switched off records its messages as suppressed.
      const notifier = new Notifier(repository, providers, logger, service.metrics, liveSettings);
      const consumer = await consume({
        kafka,
        groupId: `${config.KAFKA_TOPIC_PREFIX}kyc-notification`,
        topics: topics.slice(0, 2),
        // At least once: an event whose handling keeps failing (e.g. PostgreSQL away) is retried, never
        // skipped, and its offset is committed only after every channel's outcome is recorded.
        retryForever: true,
        handle: (event) => notifier.handle(event),
      });
      const tokens = closing('token-verifier', await startTokenVerifier(config, logger, 'notification'));
      service.app.use(authenticate(tokens.verifier));
      service.app.use(notificationRoutes(repository));
      return { consumer, providers };
    },
  });
}

export const main = (): Promise<void> => runUntilSignalled(() => startNotification());
