// Kafka with kafkajs: a client whose logs go to pino, an idempotent producer, topic creation, and a
// consumer loop with metrics (messages by outcome, processing time, lag) that never dies on a bad
// message: malformed messages are logged and skipped; handler errors are retried, then skipped.
import { hostname } from 'node:os';
import kafkajs from 'kafkajs';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { unavailableDependency } from './dependency-errors.js';
import { parseEnvelope } from './events.js';
import type { EventEnvelope } from './events.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { kafkaSaslFromEnv, type KafkaSasl } from './kafka-sasl.js';
import { kafkaSsl, storesTlsFromEnv, type StoreTls } from './store-tls.js';
import { SpanKind, extractTraceparent, inSpan } from './tracing.js';

export type { Kafka, Producer, Consumer } from 'kafkajs';

const { Kafka: KafkaClient, logLevel } = kafkajs;

/**
 * `clientId` is suffixed with the host name (in a pod: the pod's name), so the broker's group descriptions
 * and logs say which pod a member is (`kafka-consumer-groups.sh --describe` shows it as CLIENT-ID).
 */
export function createKafka(
  brokers: string[],
  clientId: string,
  logger: Logger,
  /** TLS to the brokers (store-tls.ts); absent: KAFKA_TLS and KAFKA_CA_FILE from the environment. */
  tls: StoreTls = storesTlsFromEnv().kafka,
  /** The service's own principal (kafka-sasl.ts); absent: KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD. */
  sasl: KafkaSasl | undefined = kafkaSaslFromEnv(),
): Kafka {
  const ssl = kafkaSsl(tls);
  return new KafkaClient({
    clientId: `${clientId}@${hostname()}`,
    brokers,
    ...(ssl ? { ssl } : {}),
    ...(sasl ? { sasl } : {}),
    connectionTimeout: 3000,
    retry: { retries: 5, initialRetryTime: 200 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const { message, ...extra } = entry.log;
      const level = entry.level === logLevel.ERROR ? 'error' : entry.level === logLevel.WARN ? 'warn' : 'debug';
      logger[level]({ kafka: entry.namespace, ...extra }, String(message));
    },
  });
}

export async function createProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
  await producer.connect();
  return producer;
}

/** Kafka's answers while a new topic's partitions are still being placed on the broker. */
const TOPIC_NOT_READY = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION']);

function kafkaErrorType(error: unknown): string {
  const cause = error as { type?: string; originalError?: { type?: string } } | undefined;
  return cause?.type ?? cause?.originalError?.type ?? '';
}

/**
 * Runs `action` again while it fails because a topic created moments ago is not served yet (kafkajs gives
 * up after its own few retries; a freshly started broker can take longer), until `deadline` (epoch ms).
 */
async function untilTopicsServed<T>(
  action: () => Promise<T>,
  context: Record<string, unknown>,
  logger: Logger,
  deadline: number,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await action();
    } catch (error) {
      const type = kafkaErrorType(error);
      if (!TOPIC_NOT_READY.has(type) || Date.now() >= deadline) throw error;
      logger.warn({ ...context, attempt, kafkaError: type }, 'topic not served yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * attempt, 2000)));
    }
  }
}

/**
 * Creates the topics that do not exist yet and waits until the broker serves every partition of every
 * topic with a leader, so producers and consumers started next do not meet an unknown topic.
 */
export async function ensureTopics(kafka: Kafka, topics: string[], logger: Logger, numPartitions = 3, deadlineMs = 60_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    // A topic another service created in between is reported as existing, which is what we want.
    if (missing.length > 0) await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions })), waitForLeaders: false });
    await untilTopicsServed(
      async () => {
        const metadata = await admin.fetchTopicMetadata({ topics });
        const unplaced = metadata.topics.find(
          (topic) => topic.partitions.length === 0 || topic.partitions.some((partition) => partition.leader < 0),
        );
        if (unplaced) throw Object.assign(new Error(`topic ${unplaced.name} has no leader yet`), { type: 'LEADER_NOT_AVAILABLE' });
      },
      { topics },
      logger,
      deadline,
    );
  } finally {
    await admin.disconnect();
  }
}

/** Subscribes to each topic, waiting out a topic the broker does not serve yet (see untilTopicsServed). */
export async function subscribeAll(
  consumer: Consumer,
  topics: string[],
  fromBeginning: boolean,
  logger: Logger,
  deadlineMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (const topic of topics) await untilTopicsServed(() => consumer.subscribe({ topic, fromBeginning }), { topic }, logger, deadline);
}

export interface ConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  logger: Logger;
  metrics?: Metrics;
  fromBeginning?: boolean;
  /**
   * Attempts per message before it is logged as failed and skipped. Only failures of the event itself count:
   * a dependency away (PostgreSQL restarting, Redis, the broker, the KMS; dependency-errors.ts) is waited
   * out, retried like `retryForever`, because skipping then would lose an event nothing is wrong with.
   */
  maxAttempts?: number;
  /**
   * Never skip: keep retrying a failing message (backoff up to 5 s, heartbeats in between) until it
   * succeeds or the consumer stops; its offset is then not committed, so it is delivered again.
   */
  retryForever?: boolean;
  handle: (event: EventEnvelope, meta: { topic: string; partition: number; offset: string }) => Promise<void>;
  /** For tests: the clock the broker-silence check reads. */
  now?: () => number;
}

/**
 * How long a consumer may go without a word from the brokers (a heartbeat answered, a fetch, a join) before
 * it reports itself unhealthy: the group's session timeout, after which the brokers have dropped it anyway.
 * kafkajs keeps retrying a lost broker without crashing, so without this a Kafka outage never showed in
 * /health, nor in the platform's Degraded condition (docs/api.md, "Degradation").
 */
export const BROKER_SILENCE_MS = 10_000;

export interface RunningConsumer {
  consumer: Consumer;
  /** Resolves once the group has been joined (partitions assigned); tests publish after this. */
  joined: Promise<void>;
  /** False after the consumer crashed for good (kafkajs gave up restarting it), or the brokers went silent. */
  isHealthy(): boolean;
  /**
   * Stops handling events (a feature switched off, docs/api.md "Feature flags"): the message in hand
   * finishes, the rest of its batch is left unresolved, and nothing more is fetched, so the events wait
   * in Kafka and are handled in order after `resume`. The group keeps its partitions (heartbeats go on).
   */
  pause(): void;
  resume(): void;
  isPaused(): boolean;
  stop(): Promise<void>;
}

export async function startConsumer(options: ConsumerOptions): Promise<RunningConsumer> {
  const { kafka, groupId, topics, logger, metrics } = options;
  const processed = metrics?.counter('kyc_consumer_messages_total', 'Kafka messages handled by outcome', ['group', 'topic', 'outcome']);
  const duration = metrics?.histogram('kyc_consumer_processing_seconds', 'Time to handle one Kafka message', ['group', 'topic']);
  const lag = metrics?.gauge('kyc_consumer_lag', 'Messages behind the end of the partition at the last batch', [
    'group',
    'topic',
    'partition',
  ]);
  const maxAttempts = options.maxAttempts ?? 3;
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000, rebalanceTimeout: 10_000 });
  try {
    await consumer.connect();
    await subscribeAll(consumer, topics, options.fromBeginning ?? true, logger);
  } catch (error) {
    // A consumer that connected but could not subscribe must not linger (it keeps sockets and timers).
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }
  let stopping = false;
  let paused = false;
  let healthy = true;
  const now = options.now ?? Date.now;
  let lastContact = now();
  for (const contact of [consumer.events.HEARTBEAT, consumer.events.FETCH, consumer.events.GROUP_JOIN]) {
    consumer.on(contact, () => {
      lastContact = now();
    });
  }
  const everyPartition = topics.map((topic) => ({ topic }));
  consumer.on(consumer.events.CRASH, (event) => {
    logger.error({ err: event.payload.error, group: groupId, restart: event.payload.restart }, 'consumer crashed');
    if (!event.payload.restart) healthy = false;
  });
  // A rebalance hands out partitions afresh; the pause must hold on them too.
  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (paused) consumer.pause(everyPartition);
  });
  const joined = new Promise<void>((resolve) => {
    const remove = consumer.on(consumer.events.GROUP_JOIN, () => {
      remove();
      resolve();
    });
  });
  await consumer.run({
    autoCommit: true,
    eachBatchAutoResolve: false,
    eachBatch: async (payload) => {
      const { batch } = payload;
      for (const message of batch.messages) {
        if (!payload.isRunning() || payload.isStale() || stopping || paused) break;
        const started = process.hrtime.bigint();
        const event = parseEnvelope(message.value);
        let outcome = 'ok';
        if (!event) {
          outcome = 'malformed';
          logger.warn({ topic: batch.topic, partition: batch.partition, offset: message.offset }, 'skipping a malformed event');
        } else {
          let failures = 0;
          for (let attempt = 1; ; attempt += 1) {
            try {
              // A CONSUMER span per attempt, continuing the producer's (docs/observability.md, "Traces").
              await inSpan(
                `process ${batch.topic}`,
                {
                  kind: SpanKind.CONSUMER,
                  parent: extractTraceparent(message.headers ?? {}),
                  childOnly: true,
                  attributes: {
                    'messaging.system': 'kafka',
                    'messaging.operation.type': 'process',
                    'messaging.destination.name': batch.topic,
                    'messaging.consumer.group.name': groupId,
                    'messaging.message.id': event.id,
                  },
                },
                () => options.handle(event, { topic: batch.topic, partition: batch.partition, offset: message.offset }),
              );
              break;
            } catch (error) {
              const dependency = unavailableDependency(error);
              if (options.retryForever || dependency !== undefined) {
                // The offset stays unresolved: a consumer stopped or rebalanced meanwhile leaves the event
                // to whoever owns the partition next.
                if (!payload.isRunning() || payload.isStale() || stopping || paused) return;
                if (attempt % 10 === 1)
                  logger.warn(
                    { err: error, dependency, topic: batch.topic, offset: message.offset, eventId: event.id, type: event.type, attempt },
                    'event handling failed; retrying',
                  );
                await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * attempt)));
                await payload.heartbeat();
                continue;
              }
              failures += 1;
              if (failures >= maxAttempts) {
                outcome = 'failed';
                logger.error(
                  { err: error, topic: batch.topic, offset: message.offset, eventId: event.id, type: event.type },
                  'event handling failed; skipped',
                );
                break;
              }
              await new Promise((resolve) => setTimeout(resolve, 100 * failures));
            }
          }
        }
        processed?.inc({ group: groupId, topic: batch.topic, outcome });
        duration?.observe({ group: groupId, topic: batch.topic }, Number(process.hrtime.bigint() - started) / 1e9);
        payload.resolveOffset(message.offset);
        await payload.heartbeat();
      }
      lag?.set({ group: groupId, topic: batch.topic, partition: String(batch.partition) }, Number(batch.offsetLag()));
    },
  });
  return {
    consumer,
    joined,
    isHealthy: () => healthy && !stopping && now() - lastContact < BROKER_SILENCE_MS,
    pause() {
      if (paused) return;
      paused = true;
      consumer.pause(everyPartition);
      logger.info({ group: groupId, topics }, 'consumer paused');
    },
    resume() {
      if (!paused) return;
      paused = false;
      consumer.resume(everyPartition);
      logger.info({ group: groupId, topics }, 'consumer resumed');
    },
    isPaused: () => paused,
    async stop() {
      stopping = true;
      await consumer.disconnect();
    },
  };
}
