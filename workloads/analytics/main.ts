// The analytics service: consumes every event family and keeps counts by type and day in PostgreSQL;
// GET /api/v1/analytics/summary (admin) reads them.
import {
  EVENT_FAMILIES,
  Service,
  authenticate,
  commonEnv,
  createKafka,
  createLogger,
  createPool,
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
import { AggregateRepository } from './data-access/aggregates.js';
import { ANALYTICS_SCHEMA, migrations } from './data-access/migrations.js';
import { analyticsRoutes } from './entry-points/routes.js';

export const analyticsEnv = commonEnv.merge(databaseEnv).merge(kafkaEnv).merge(tokenVerifierEnv);

export interface StartOptions {
  env?: Env;
  logger?: Logger;
  port?: number;
  /** The metrics listener's port (METRICS_PORT); see Service.listen for the default. */
  metricsPort?: number;
  host?: string;
}

export interface RunningAnalytics extends Listening {
  service: Service;
  consumer: RunningConsumer;
  close(): Promise<void>;
}

export async function startAnalytics(options: StartOptions = {}): Promise<RunningAnalytics> {
  const config = loadConfig(analyticsEnv, options.env);
  const logger = options.logger ?? createLogger({ component: 'analytics', platform: config.KYC_PLATFORM, version: config.KYC_VERSION, level: config.LOG_LEVEL });
  const pool = createPool(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX, applicationName: 'kyc-analytics' });
  let consumer: RunningConsumer | undefined;
  const service = new Service({
    component: 'analytics',
    logger,
    version: config.KYC_VERSION,
    platform: config.KYC_PLATFORM,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    health: { database: () => pingDatabase(pool), externalAPIs: () => consumer?.isHealthy() ?? false },
  });
  service.lifecycle.onShutdown('postgres', () => pool.end());
  service.metrics.observePool('analytics', pool);
  try {
    await runMigrations(pool, ANALYTICS_SCHEMA, migrations, logger);
    const repository = new AggregateRepository(pool);
    const kafka = createKafka(config.KAFKA_BROKERS, 'kyc-analytics', logger);
    const topics = EVENT_FAMILIES.map((family) => familyTopic(family, config.KAFKA_TOPIC_PREFIX));
    await ensureTopics(kafka, topics, logger);
    const counted = service.metrics.counter('kyc_analytics_events_total', 'Events counted by type', ['type']);
    consumer = await startConsumer({
      kafka,
      groupId: `${config.KAFKA_TOPIC_PREFIX}kyc-analytics`,
      topics,
      logger,
      metrics: service.metrics,
      handle: async (event) => {
        const occurredAt = new Date(event.occurredAt);
        if (await repository.record(event.id, event.type, Number.isNaN(occurredAt.getTime()) ? new Date() : occurredAt)) counted.inc({ type: event.type });
      },
    });
    const running = consumer;
    service.lifecycle.onShutdown('consumer', () => running.stop());
    const tokens = await startTokenVerifier(config, logger, 'analytics');
    service.lifecycle.onShutdown('token-verifier', () => tokens.close());
    service.app.use(authenticate(tokens.verifier));
    service.app.use(analyticsRoutes(repository));
    const listening = await service.listen(options.port ?? config.PORT, options.host ?? config.HOST, options.metricsPort ?? config.METRICS_PORT);
    return { ...listening, service, consumer: running, close: () => service.close() };
  } catch (error) {
    await service.close();
    throw error;
  }
}

export async function main(): Promise<void> {
  const running = await startAnalytics();
  exitOnSignals(running.service.lifecycle, running.service.logger);
}
