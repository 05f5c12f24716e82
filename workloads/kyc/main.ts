// The kyc service: wiring of config, PostgreSQL, Kafka (outbox relay + automatic-checks consumer),
// routes and lifecycle. `startKyc` is what `workloads/main.ts kyc` and the component tests call.
import {
  OutboxRelay,
  PostgresIdempotencyStore,
  Service,
  createKafka,
  createLogger,
  createPool,
  createProducer,
  ensureTopics,
  exitOnSignals,
  familyTopic,
  pingDatabase,
  runMigrations,
} from '../shared/index.js';
import type { Env, Listening, Logger, RunningConsumer } from '../shared/index.js';
import { type KycConfig, loadKycConfig } from './config.js';
import { KYC_SCHEMA, migrations } from './data-access/migrations.js';
import { PgKycStore } from './data-access/pg-store.js';
import { SealedIdempotencyStore } from './data-access/sealed-idempotency-store.js';
import { loadWatchlist } from './data-access/watchlist.js';
import { KycService } from './domain/kyc-service.js';
import { parseKeyRing } from './domain/protection/key-ring.js';
import { startChecksConsumer } from './entry-points/checks-consumer.js';
import { kycRoutes } from './entry-points/routes.js';

export interface StartKycOptions {
  env?: Env;
  logger?: Logger;
  port?: number;
  host?: string;
}

export interface RunningKyc extends Listening {
  service: Service;
  kyc: KycService;
  relay: OutboxRelay;
  consumer: RunningConsumer | undefined;
  config: KycConfig;
  close(): Promise<void>;
}

/** Documents are sent base64-encoded in JSON: 2 MiB of content is about 2.8 MB of body. */
const BODY_LIMIT = '4mb';

export async function startKyc(options: StartKycOptions = {}): Promise<RunningKyc> {
  const config = loadKycConfig(options.env);
  const logger = options.logger ?? createLogger({ component: 'kyc', platform: config.KYC_PLATFORM, version: config.KYC_VERSION, level: config.LOG_LEVEL });
  const keyRing = parseKeyRing(config.PII_ENCRYPTION_KEYS);
  const watchlist = loadWatchlist(config.KYC_WATCHLIST_PATH);
  const pool = createPool(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX, applicationName: 'kyc-kyc' });
  const service = new Service({
    component: 'kyc',
    logger,
    version: config.KYC_VERSION,
    platform: config.KYC_PLATFORM,
    bodyLimit: BODY_LIMIT,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    // Kafka is not a health dependency: the outbox keeps events while it is away.
    health: { database: () => pingDatabase(pool) },
  });
  service.lifecycle.onShutdown('postgres', () => pool.end());
  service.metrics.observePool('kyc', pool);
  try {
    await runMigrations(pool, KYC_SCHEMA, migrations, logger);
    const outcomes = service.metrics.counter('kyc_applications_total', 'KYC applications by outcome', ['outcome']);
    const kyc = new KycService({
      store: new PgKycStore({ pool, schema: KYC_SCHEMA, keyRing, topicPrefix: config.KAFKA_TOPIC_PREFIX }),
      watchlist: watchlist.entries,
      draftTtlDays: config.KYC_DRAFT_TTL_DAYS,
      resubmissionTtlDays: config.KYC_RESUBMISSION_TTL_DAYS,
      onOutcome: (outcome) => outcomes.inc({ outcome }),
    });

    const kafka = createKafka(config.KAFKA_BROKERS, `kyc-${config.KYC_PLATFORM}`, logger);
    await ensureTopics(kafka, (['kyc', 'customer', 'consent'] as const).map((family) => familyTopic(family, config.KAFKA_TOPIC_PREFIX)));
    const producer = await createProducer(kafka);
    service.lifecycle.onShutdown('kafka-producer', () => producer.disconnect());
    const relay = new OutboxRelay({ pool, schema: KYC_SCHEMA, producer, logger, metrics: service.metrics });
    relay.start();
    service.lifecycle.onShutdown('outbox-relay', async () => {
      await relay.stop();
      await relay.flush().catch(() => 0);
    });
    service.metrics.gauge('kyc_outbox_pending', 'Events waiting in the outbox', [], (gauge) => {
      relay.pending().then(
        (n) => gauge.set(n),
        () => undefined,
      );
    });

    const sweep = setInterval(() => {
      kyc.expireStale().catch((error: unknown) => logger.warn({ err: error }, 'expiry sweep failed'));
    }, config.KYC_EXPIRY_SWEEP_MS);
    sweep.unref();
    service.lifecycle.onShutdown('expiry-sweep', () => clearInterval(sweep));

    let consumer: RunningConsumer | undefined;
    if (config.KYC_CHECKS_CONSUMER) {
      consumer = await startChecksConsumer({ kafka, service: kyc, logger, metrics: service.metrics, topicPrefix: config.KAFKA_TOPIC_PREFIX });
      const running = consumer;
      service.lifecycle.onShutdown('checks-consumer', () => running.stop());
    }

    service.app.use(
      kycRoutes({ service: kyc, jwtSecret: config.AUTH_JWT_SECRET, idempotencyStore: new SealedIdempotencyStore(new PostgresIdempotencyStore(pool, KYC_SCHEMA), keyRing) }),
    );
    const listening = await service.listen(options.port ?? config.PORT, options.host ?? config.HOST);
    logger.info({ watchlist: watchlist.version, entries: watchlist.entries.length, keyId: keyRing.current.id }, 'kyc ready');
    return { ...listening, service, kyc, relay, consumer, config, close: () => service.close() };
  } catch (error) {
    await service.close();
    throw error;
  }
}

/** The same entry point under the name the workload contract's dispatcher may look for. */
export const startKycService = startKyc;

export async function main(): Promise<void> {
  const running = await startKyc();
  exitOnSignals(running.service.lifecycle, running.service.logger);
}
