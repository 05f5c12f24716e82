// The analytics service: consumes every event family and keeps counts by type and day in PostgreSQL;
// GET /api/v1/analytics/summary (admin) reads them. With `analytics-ingestion` off (docs/api.md, "Feature
// flags") the consumer pauses: events wait in Kafka and are counted once it is back on.
import {
  EVENT_FAMILIES,
  authenticate,
  commonEnv,
  createKafka,
  databaseEnv,
  ensureTopics,
  familyTopic,
  kafkaEnv,
  loadConfig,
  pauseWhileOff,
  runUntilSignalled,
  startService,
  startTokenVerifier,
  tokenVerifierEnv,
} from '../shared/index.js';
import type { GatedConsumer, RunningService, StartOptions } from '../shared/index.js';
import { AggregateRepository } from './data-access/aggregates.js';
import { ANALYTICS_SCHEMA, migrations } from './data-access/migrations.js';
import { analyticsRoutes } from './entry-points/routes.js';

export const analyticsEnv = commonEnv.extend(databaseEnv.shape).extend(kafkaEnv.shape).extend(tokenVerifierEnv.shape);

export type { StartOptions };

export type RunningAnalytics = RunningService<{ consumer: GatedConsumer }>;

export async function startAnalytics(options: StartOptions = {}): Promise<RunningAnalytics> {
  const config = loadConfig(analyticsEnv, options.env);
  return startService({
    component: 'analytics',
    config,
    options,
    database: { url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, schema: ANALYTICS_SCHEMA, migrations },
    wire: async ({ service, pool, logger, consume, closing, liveSettings }) => {
      const repository = new AggregateRepository(pool);
      const kafka = createKafka(config.KAFKA_BROKERS, 'kyc-analytics', logger);
      const topics = EVENT_FAMILIES.map((family) => familyTopic(family, config.KAFKA_TOPIC_PREFIX));
      await ensureTopics(kafka, topics, logger);
      const counted = service.metrics.counter('kyc_analytics_events_total', 'Events counted by type', ['type']);
      const consumer = await consume({
        kafka,
        groupId: `${config.KAFKA_TOPIC_PREFIX}kyc-analytics`,
        topics,
        handle: async (event) => {
          const occurredAt = new Date(event.occurredAt);
          if (await repository.record(event.id, event.type, Number.isNaN(occurredAt.getTime()) ? new Date() : occurredAt, event.subject))
            counted.inc({ type: event.type });
        },
      });
      pauseWhileOff(liveSettings, 'analytics-ingestion', logger).attach(consumer);
      const tokens = closing('token-verifier', await startTokenVerifier(config, logger, 'analytics', service.lifecycle, service.tls));
      service.app.use(authenticate(tokens.verifier));
      service.app.use(analyticsRoutes(repository));
      return { consumer };
    },
  });
}

export const main = (): Promise<void> => runUntilSignalled(() => startAnalytics());
