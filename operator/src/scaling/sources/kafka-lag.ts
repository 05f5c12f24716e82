// The queueLag source: the lag of a consumer group over its topics, read through one Kafka admin
// connection that every lag source of the operator shares (a connection per metric would open one
// admin per platform and component against the same brokers). The connection is opened on the first
// read and closed when the last lag source closes.
import { z } from 'zod';
import type { LagTarget } from '../kafka-lag.js';
import type { Lease, SharedResources } from './shared.js';
import { sourceConfig, type MetricReading, type MetricSource } from './source.js';

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
