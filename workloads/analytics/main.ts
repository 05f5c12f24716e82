// The analytics service: consumes every event family and keeps counts by type and day, the funnel and
// each decision's turnaround in PostgreSQL; GET /api/v1/analytics/summary (admin) reads them
// (docs/workloads.md, "Analytics"). With `analytics-ingestion` off (docs/api.md, "Feature flags") the
// consumer pauses: events wait in Kafka and are counted once it is back on.
import { z } from 'zod';
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
import { DEFAULT_DECISION_SLA_HOURS } from './domain/decisions.js';
import { DEFAULT_SEEN_HORIZON_DAYS, SeenPruning } from './domain/seen-pruning.js';
import { analyticsRoutes } from './entry-points/routes.js';

export const analyticsEnv = commonEnv
  .extend(databaseEnv.shape)
  .extend(kafkaEnv.shape)
  .extend(tokenVerifierEnv.shape)
  .extend({
    /** A decision later than this after the first submission breaches the SLA (docs/workloads.md, "Analytics"). */
    ANALYTICS_DECISION_SLA_HOURS: z.coerce.number().int().min(1).max(8760).default(DEFAULT_DECISION_SLA_HOURS),
    /** events_seen rows older than this are pruned: longer than the topics' retention plus segment age. */
    ANALYTICS_SEEN_HORIZON_DAYS: z.coerce.number().int().min(1).max(3650).default(DEFAULT_SEEN_HORIZON_DAYS),
    ANALYTICS_SEEN_PRUNE_MS: z.coerce.number().int().min(1000).max(86_400_000).default(3_600_000),
  });

export type { StartOptions };

export type RunningAnalytics = RunningService<{ consumer: GatedConsumer; pruning: SeenPruning }>;

export async function startAnalytics(options: StartOptions = {}): Promise<RunningAnalytics> {
  const config = loadConfig(analyticsEnv, options.env);
  return startService({
    component: 'analytics',
    config,
    options,
    database: {
      url: config.DATABASE_URL,
      poolMax: config.DATABASE_POOL_MAX,
      poolMin: config.DATABASE_POOL_MIN,
      schema: ANALYTICS_SCHEMA,
      migrations,
    },
    wire: async ({ service, pool, logger, consume, closing, liveSettings, onShutdown }) => {
      const repository = new AggregateRepository(pool);
      const pruning = new SeenPruning(repository, config.ANALYTICS_SEEN_HORIZON_DAYS);
      const prune = setInterval(() => {
        pruning
          .run()
          .then((deleted) => {
            if (deleted > 0) logger.info({ deleted }, 'events_seen rows past the redelivery horizon deleted');
          })
          .catch((error: unknown) => logger.warn({ err: error }, 'events_seen pruning failed'));
      }, config.ANALYTICS_SEEN_PRUNE_MS);
      prune.unref();
      onShutdown('seen-pruning', () => clearInterval(prune));
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
      service.app.use(analyticsRoutes(repository, config.ANALYTICS_DECISION_SLA_HOURS));
      return { consumer, pruning };
    },
  });
}

export const main = (): Promise<void> => runUntilSignalled(() => startAnalytics());
