// The queueLag source: the lag of a consumer group over its topics, read from the platform's own Kafka
// (the broker list in its spec.dependencies.kafka Secret, kafka-brokers.ts) through one Kafka admin
// connection per broker list, shared by every lag source that reads the same brokers (a connection per
// metric would open one admin per platform and component against the same brokers). The connection is
// opened on the first read and closed when the last lag source on those brokers closes or moves away.
//
// Kafka consumer-group lag: for every partition of the topics, the end offset (high watermark) minus
// the group's committed offset, summed. A partition the group never committed counts from its earliest
// offset (low watermark), as a new consumer with auto.offset.reset=earliest would start there.
import { createHash } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { z } from 'zod';
import { KafkaBrokers, kafkaSecretSchema, type KafkaEndpoint, type KafkaSecret, type ReadSecret } from './kafka-brokers.js';
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
/** A SCRAM user name and password. */
export interface KafkaCredential {
  username: string;
  password: string;
}

export class KafkaLagReader {
  private admin: Admin | undefined;
  private connecting: Promise<Admin> | undefined;

  constructor(
    private readonly brokers: readonly string[],
    private readonly requestTimeoutMs = 5000,
    /** The CA bundle of the brokers' certificates: TLS, chain and host name verified. Absent: plaintext. */
    private readonly ca?: string,
    /** The lag reader's own read-only principal (SCRAM-SHA-512; docs/security.md, "Kafka"). Absent: none. */
    private readonly sasl?: KafkaCredential,
  ) {}

  private async connected(): Promise<Admin> {
    if (this.admin) return this.admin;
    this.connecting ??= (async () => {
      const kafka = new Kafka({
        clientId: 'kyc-operator-scaling',
        brokers: [...this.brokers],
        ...(this.ca ? { ssl: { ca: [this.ca], rejectUnauthorized: true, minVersion: 'TLSv1.2' as const } } : {}),
        ...(this.sasl ? { sasl: { mechanism: 'scram-sha-512' as const, ...this.sasl } } : {}),
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
  /** The platform's Kafka Secret and the key holding its broker list. */
  secret: kafkaSecretSchema,
});
export type KafkaLagConfig = z.infer<typeof kafkaLagConfig>;

/** What the lag sources of the operator share: the broker lists by Secret, the connections by broker list. */
export interface LagConnections {
  secrets: SharedResources<KafkaBrokers>;
  readSecret: ReadSecret;
  /** How often a Secret's broker list is read again (kafka-brokers.ts); tests shorten it. */
  refreshMs?: number;
  connections: SharedResources<LagReader>;
  connect: (brokers: readonly string[], ca?: string, sasl?: KafkaCredential) => LagReader;
}

const secretKey = (secret: KafkaSecret): string => `${secret.namespace}/${secret.name}/${secret.key}`;
// The first 8 bytes' hex, not a slice of the whole hex (a slice keeps its parent alive).
const digest = (text: string): string => createHash('sha256').update(text).digest().toString('hex', 0, 8);
/**
 * Two platforms naming the same brokers, in any order, trusting the same CA (if any) and reading as the same
 * principal with the same password (if any) share a connection; the key holds digests, never a secret.
 */
const brokersKey = ({ brokers, ca, sasl }: KafkaEndpoint): string =>
  [...brokers].sort().join(',') + (ca ? `|ca:${digest(ca)}` : '') + (sasl ? `|sasl:${digest(`${sasl.username}\n${sasl.password}`)}` : '');

export class KafkaLagSource implements MetricSource {
  private readonly config: KafkaLagConfig;
  private readonly brokers: Lease<KafkaBrokers>;
  private connection: { key: string; lease: Lease<LagReader> } | undefined;
  private closed = false;

  /** Validates the config before it takes a share of anything, so a bad config holds nothing. */
  constructor(
    config: unknown,
    private readonly kafka: LagConnections,
  ) {
    this.config = sourceConfig('kafka-lag', kafkaLagConfig, config);
    const secret = this.config.secret;
    const refresh = kafka.refreshMs === undefined ? {} : { refreshMs: kafka.refreshMs };
    this.brokers = kafka.secrets.acquire(secretKey(secret), () => new KafkaBrokers(secret, kafka.readSecret, refresh));
    // Read the Secret now, so the first poll finds the brokers (or the reason there are none) at hand.
    void this.brokers.value.brokers().catch(() => undefined);
  }

  async read(): Promise<MetricReading> {
    const reader = await this.connectionTo(await this.brokers.value.endpoint());
    let value: number;
    try {
      value = await reader.lag({ group: this.config.group, topics: this.config.topics });
    } catch (error) {
      // The Secret may have changed under a connection that no longer answers: read it again first.
      this.brokers.value.invalidate();
      throw error;
    }
    return { value, active: value > 0 };
  }

  /** The shared connection to these brokers; a changed list moves this source to another connection. */
  private async connectionTo(endpoint: KafkaEndpoint): Promise<LagReader> {
    if (this.closed) throw new Error('kafka-lag source is closed');
    const key = brokersKey(endpoint);
    const { brokers, ca, sasl } = endpoint;
    if (this.connection?.key === key) return this.connection.lease.value;
    const previous = this.connection;
    this.connection = { key, lease: this.kafka.connections.acquire(key, () => this.kafka.connect(brokers, ca, sasl)) };
    await previous?.lease.release();
    return this.connection.lease.value;
  }

  async close(): Promise<void> {
    this.closed = true;
    const connection = this.connection;
    this.connection = undefined;
    await connection?.lease.release();
    await this.brokers.release();
  }
}
