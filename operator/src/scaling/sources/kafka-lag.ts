// The queueLag source: the lag of a consumer group over its topics, read through one Kafka admin
// connection that every lag source of the operator shares (a connection per metric would open one
// admin per platform and component against the same brokers). The connection is opened on the first
// read and closed when the last lag source closes.
//
// Kafka consumer-group lag: for every partition of the topics, the end offset (high watermark) minus
// the group's committed offset, summed. A partition the group never committed counts from its earliest
// offset (low watermark), as a new consumer with auto.offset.reset=earliest would start there.
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { z } from 'zod';
import type { Lease, SharedResources } from './shared.js';
import { sourceConfig, type MetricReading, type MetricSource } from './source.js';

export interface PartitionOffsets {
  partition: number;
  /** End offset (next offset to be written). */
  high: string;
  /** Earliest offset still retained. */
  low: string;
}

export interface CommittedOffset {
  partition: number;
  /** '-1' (or empty) when the group has no committed offset for the partition. */
  offset: string;
}

/** Lag of one topic: Σ (high − max(committed, low)), never negative per partition. */
export function topicLag(partitions: readonly PartitionOffsets[], committed: readonly CommittedOffset[]): bigint {
  const byPartition = new Map(committed.map((c) => [c.partition, c.offset]));
  let total = 0n;
  for (const p of partitions) {
    const high = BigInt(p.high);
    const low = BigInt(p.low);
    const raw = byPartition.get(p.partition);
    const offset = raw === undefined || raw === '' || BigInt(raw) < 0n ? low : BigInt(raw);
    // A committed offset below the earliest retained one points at deleted messages: count from low.
    const from = offset < low ? low : offset;
    if (high > from) total += high - from;
  }
  return total;
}

export interface LagTarget {
  group: string;
  /** Undefined: every topic the group has committed offsets for. */
  topics: readonly string[] | undefined;
}

/** Reads consumer lag through one kafkajs admin client per broker list, connected on first use. */
export class KafkaLagReader {
  private admin: Admin | undefined;
  private connecting: Promise<Admin> | undefined;

  constructor(
    private readonly brokers: readonly string[],
    private readonly requestTimeoutMs = 5000,
  ) {}

  private async connected(): Promise<Admin> {
    if (this.admin) return this.admin;
    this.connecting ??= (async () => {
      const kafka = new Kafka({
        clientId: 'kyc-operator-scaling',
        brokers: [...this.brokers],
        logLevel: logLevel.NOTHING,
        connectionTimeout: this.requestTimeoutMs,
        requestTimeout: this.requestTimeoutMs,
        retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 1000 },
      });
      const admin = kafka.admin();
      try {
        await admin.connect();
      } catch (error) {
        this.connecting = undefined;
        await admin.disconnect().catch(() => undefined);
        throw error;
      }
      this.admin = admin;
      return admin;
    })();
    return this.connecting;
  }

  /** Total lag of the group over the topics. Throws (with context) when Kafka cannot answer. */
  async lag(target: LagTarget): Promise<number> {
    try {
      const admin = await this.connected();
      const committed = await admin.fetchOffsets({ groupId: target.group, ...(target.topics ? { topics: [...target.topics] } : {}) });
      const topics = target.topics ?? committed.map((c) => c.topic);
      let total = 0n;
      for (const topic of topics) {
        const partitions = await admin.fetchTopicOffsets(topic);
        total += topicLag(partitions, committed.find((c) => c.topic === topic)?.partitions ?? []);
      }
      return Number(total);
    } catch (error) {
      // A broken connection is not reused: the next read connects again.
      await this.close();
      throw new Error(`kafka lag of group ${target.group}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    const pending = this.connecting;
    let admin = this.admin;
    this.admin = undefined;
    this.connecting = undefined;
    // A connection still being made when the reader closes is disconnected once it is made, so no
    // socket outlives the reader (it would keep a stopping operator alive).
    if (!admin && pending) {
      admin = await pending.catch(() => undefined);
      if (this.admin === admin) this.admin = undefined;
    }
    await admin?.disconnect().catch(() => undefined);
  }
}

/** A connection that reads consumer lag (KafkaLagReader; a fake in tests). */
export interface LagReader {
  lag(target: LagTarget): Promise<number>;
  close(): Promise<void>;
}

export const kafkaLagConfig = z.object({
  group: z.string().min(1),
  /** Absent: every topic the group has committed offsets for. */
  topics: z.array(z.string().min(1)).min(1).optional(),
});
export type KafkaLagConfig = z.infer<typeof kafkaLagConfig>;

/** The key of the one shared connection: the operator has a single broker list. */
export const KAFKA_CONNECTION = 'kafka';

export class KafkaLagSource implements MetricSource {
  private readonly config: KafkaLagConfig;
  private readonly connection: Lease<LagReader>;

  /** Validates the config before it takes a share of the connection, so a bad config holds nothing. */
  constructor(config: unknown, kafka: { connections: SharedResources<LagReader>; connect: () => LagReader }) {
    this.config = sourceConfig('kafka-lag', kafkaLagConfig, config);
    this.connection = kafka.connections.acquire(KAFKA_CONNECTION, kafka.connect);
  }

  async read(): Promise<MetricReading> {
    const value = await this.connection.value.lag({ group: this.config.group, topics: this.config.topics });
    return { value, active: value > 0 };
  }

  close(): Promise<void> {
    return this.connection.release();
  }
}
