// The notification service: consumes kyc and customer events, sends through channel providers, and
// publishes notification.requested|sent|failed through its outbox.
import { z } from 'zod';
import {
  OutboxRelay,
  Service,
  authenticate,
  commonEnv,
  createKafka,
  createLogger,
  createPool,
  createProducer,
  databaseEnv,
  ensureTopics,
  exitOnSignals,
  familyTopic,
  startTokenVerifier,
  tokenVerifierEnv,
  kafkaEnv,
  loadConfig,
  pingDatabase,
  runMigrations,
  startConsumer,
} from '../shared/index.js';
import type { Env, Listening, Logger, RunningConsumer } from '../shared/index.js';
import { NotificationRepository } from './data-access/notifications.js';
import { NOTIFICATION_SCHEMA, migrations } from './data-access/migrations.js';
import { Notifier } from './domain/notifier.js';
import { CHANNELS, InMemoryProvider } from './domain/providers.js';
import type { Channel } from './domain/providers.js';
import { notificationRoutes } from './entry-points/routes.js';

const channelList = z
  .string()
  .default('')
  .transform((value) => value.split(',').map((v) => v.trim()).filter(Boolean))
  .refine((list) => list.every((c) => (CHANNELS as readonly string[]).includes(c)), 'must list email and/or sms');

export const notificationEnv = commonEnv.merge(databaseEnv).merge(kafkaEnv).merge(tokenVerifierEnv).extend({
  NOTIFICATION_CHANNELS: channelList.default('email,sms'),
  /** Channels whose development provider fails every send (to exercise notification.failed). */
  NOTIFICATION_FAIL_CHANNELS: channelList,
  /** Simulated latency of the development provider per send (tests use it to crash mid-send). */
  NOTIFICATION_SEND_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
});

export interface StartOptions {
  env?: Env;
  logger?: Logger;
  port?: number;
  /** The metrics listener's port (METRICS_PORT); see Service.listen for the default. */
  metricsPort?: number;
  host?: string;
}

export interface RunningNotification extends Listening {
  service: Service;
  consumer: RunningConsumer;
  providers: InMemoryProvider[];
  close(): Promise<void>;
}

export async function startNotification(options: StartOptions = {}): Promise<RunningNotification> {
  const config = loadConfig(notificationEnv, options.env);
  const logger = options.logger ?? createLogger({ component: 'notification', platform: config.KYC_PLATFORM, version: config.KYC_VERSION, level: config.LOG_LEVEL });
  const pool = createPool(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX, applicationName: 'kyc-notification' });
  let consumer: RunningConsumer | undefined;
  const service = new Service({
    component: 'notification',
    logger,
    version: config.KYC_VERSION,
    platform: config.KYC_PLATFORM,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    health: { database: () => pingDatabase(pool), externalAPIs: () => consumer?.isHealthy() ?? false },
  });
  service.lifecycle.onShutdown('postgres', () => pool.end());
  service.metrics.observePool('notification', pool);
  try {
    await runMigrations(pool, NOTIFICATION_SCHEMA, migrations, logger);
    const kafka = createKafka(config.KAFKA_BROKERS, 'kyc-notification', logger);
    const topics = [familyTopic('kyc', config.KAFKA_TOPIC_PREFIX), familyTopic('customer', config.KAFKA_TOPIC_PREFIX), familyTopic('notification', config.KAFKA_TOPIC_PREFIX)];
    await ensureTopics(kafka, topics, logger);
    const producer = await createProducer(kafka);
    service.lifecycle.onShutdown('producer', () => producer.disconnect());
    const relay = new OutboxRelay({ pool, schema: NOTIFICATION_SCHEMA, producer, logger, metrics: service.metrics });
    relay.start();
    service.lifecycle.onShutdown('outbox', () => relay.stop());
    const repository = new NotificationRepository(pool, config.KAFKA_TOPIC_PREFIX);
    const failing = new Set<Channel>(config.NOTIFICATION_FAIL_CHANNELS as Channel[]);
    const providers = (config.NOTIFICATION_CHANNELS as Channel[]).map((channel) => new InMemoryProvider(channel, failing.has(channel), config.NOTIFICATION_SEND_DELAY_MS));
    const notifier = new Notifier(repository, providers, logger, service.metrics);
    consumer = await startConsumer({
      kafka,
      groupId: `${config.KAFKA_TOPIC_PREFIX}kyc-notification`,
      topics: topics.slice(0, 2),
      logger,
      metrics: service.metrics,
      // At least once: an event whose handling keeps failing (e.g. PostgreSQL away) is retried, never
      // skipped, and its offset is committed only after every channel's outcome is recorded.
      retryForever: true,
      handle: (event) => notifier.handle(event),
    });
    const running = consumer;
    service.lifecycle.onShutdown('consumer', () => running.stop());
    const tokens = await startTokenVerifier(config, logger, 'notification');
    service.lifecycle.onShutdown('token-verifier', () => tokens.close());
    service.app.use(authenticate(tokens.verifier));
    service.app.use(notificationRoutes(repository));
    const listening = await service.listen(options.port ?? config.PORT, options.host ?? config.HOST, options.metricsPort ?? config.METRICS_PORT);
    return { ...listening, service, consumer: running, providers, close: () => service.close() };
  } catch (error) {
    await service.close();
    throw error;
  }
}

export async function main(): Promise<void> {
  const running = await startNotification();
  exitOnSignals(running.service.lifecycle, running.service.logger);
}
