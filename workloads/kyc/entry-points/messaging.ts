// Kafka for the kyc service: the outbox relay (publishing) and the automatic-checks consumer, which also
// records the other services' erasure outcomes (checks-consumer.ts). Kafka is
// not needed to serve requests — events wait in the outbox — so the service starts without it and this
// keeps trying to connect in the background; `ready` resolves once both are running. The relay runs in
// every colour of a blue-green release (one relay of a schema publishes at a time, outbox.ts); the checks
// consumer only in the active one (docs/releases.md, "Blue-green isolation").
import { GatedConsumer, OutboxRelay, createKafka, createProducer, ensureTopics, familyTopic } from '../../shared/index.js';
import type { ColorGate, FeaturePause, Logger, Metrics, Pool, Producer } from '../../shared/index.js';
import type { Erasure } from '../domain/erasure.js';
import type { KycService } from '../domain/kyc-service.js';
import { startChecksConsumer } from './checks-consumer.js';
import { coreBankingTopic } from './relationship-events.js';

export interface KycMessagingOptions {
  brokers: string[];
  clientId: string;
  topicPrefix: string;
  pool: Pool;
  schema: string;
  service: KycService;
  /** With it, the checks consumer also records the other services' erasure outcomes (docs/retention.md). */
  erasure?: Erasure;
  logger: Logger;
  metrics: Metrics;
  runChecksConsumer: boolean;
  /** Pauses the checks consumer while `automatic-checks` is off (docs/api.md, "Feature flags"). */
  checksPause?: FeaturePause;
  /** Runs the checks consumer only while this pod's colour is active; absent: always. */
  gate?: ColorGate;
  /** Longest wait between connection attempts. */
  maxRetryDelayMs?: number;
}

export class KycMessaging {
  readonly ready: Promise<void>;
  relay: OutboxRelay | undefined;
  consumer: GatedConsumer | undefined;
  private producer: Producer | undefined;
  private stopped = false;
  private connecting: Promise<void> | undefined;
  private markReady: () => void = () => undefined;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly options: KycMessagingOptions) {
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
    options.metrics.gauge('kyc_kafka_connected', '1 once the outbox relay and the checks consumer run', [], (gauge) => {
      gauge.set(this.relay ? 1 : 0);
    });
  }

  start(): void {
    this.connecting ??= this.connectUntilStopped();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.connecting;
    await this.options.gate?.close();
    await this.consumer?.stop().catch(() => undefined);
    if (this.relay) {
      await this.relay.stop();
      // One last pass so events written by the drained requests are not left for the next start.
      await this.relay.flush().catch(() => 0);
    }
    await this.producer?.disconnect().catch(() => undefined);
  }

  private async connectUntilStopped(): Promise<void> {
    const { logger, maxRetryDelayMs = 10_000 } = this.options;
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.connect();
        logger.info({ attempt }, 'kafka connected: outbox relay and checks consumer running');
        this.markReady();
        return;
      } catch (error) {
        logger.warn({ err: error, attempt }, 'kafka unavailable; events stay in the outbox, retrying');
        await this.producer?.disconnect().catch(() => undefined);
        this.producer = undefined;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(500 * 2 ** attempt, maxRetryDelayMs));
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  private async connect(): Promise<void> {
    const { brokers, clientId, topicPrefix, pool, schema, service, erasure, logger, metrics } = this.options;
    const kafka = createKafka(brokers, clientId, logger);
    await ensureTopics(
      kafka,
      [
        ...(['kyc', 'customer', 'consent', 'notification'] as const).map((family) => familyTopic(family, topicPrefix)),
        coreBankingTopic(topicPrefix),
      ],
      logger,
    );
    this.producer = await createProducer(kafka);
    if (this.stopped) return; // stop() disconnects the producer
    if (this.options.runChecksConsumer) {
      const consumer = new GatedConsumer('checks consumer', () =>
        startChecksConsumer({ kafka, service, erasure, logger, metrics, topicPrefix }),
      );
      this.options.checksPause?.attach(consumer);
      this.consumer = consumer;
      // Nothing after this throws, so a retried connect never registers a second one with the gate.
      if (this.options.gate) await this.options.gate.run(consumer);
      else await consumer.start();
    }
    const relay = new OutboxRelay({ pool, schema, producer: this.producer, logger, metrics });
    relay.start();
    this.relay = relay;
  }
}
