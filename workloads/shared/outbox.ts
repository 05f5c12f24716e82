// The transactional outbox. A service writes its events into <schema>.outbox in the same transaction
// as the change they describe; the relay publishes unsent rows to Kafka in id order and then marks
// them sent. Delivery is at-least-once (a crash between publish and mark re-sends: consumers
// de-duplicate by event id). A transaction-scoped advisory lock lets only one relay of a schema
// publish at a time, so several replicas keep the order.
import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { Producer } from 'kafkajs';
import { ident } from './db.js';
import { topicForEvent } from './events.js';
import type { EventEnvelope } from './events.js';
import type { Logger } from './logger.js';
import type { Migration } from './migrate.js';
import type { Metrics } from './metrics.js';
import {
  SpanKind,
  contextWith,
  currentTraceparent,
  extractTraceparent,
  failSpan,
  injectTraceparent,
  startSpan,
  TRACEPARENT,
} from './tracing.js';
import type { Span } from './tracing.js';

/** Add this to a service's migrations (any free version number) to get an outbox in its schema. */
export function outboxMigration(version: number): Migration {
  return {
    version,
    name: 'outbox',
    up: `CREATE TABLE outbox (
           id bigserial PRIMARY KEY,
           event_id uuid NOT NULL UNIQUE,
           topic text NOT NULL,
           key text NOT NULL,
           event_type text NOT NULL,
           payload jsonb NOT NULL,
           created_at timestamptz NOT NULL DEFAULT now(),
           sent_at timestamptz
         );
         CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;`,
  };
}

/** The columns of one outbox row, in the order of OUTBOX_COLUMNS. */
export const OUTBOX_COLUMNS = '(event_id, topic, key, event_type, payload)';

/**
 * The trace context of the request that wrote an event rides in its outbox row, under this key of the
 * stored payload; the relay takes it out and sends it as the message's `traceparent` header, so the
 * published event is the envelope alone (docs/observability.md, "Traces"). Only while tracing is on.
 */
const OUTBOX_TRACE_KEY = TRACEPARENT;

export function outboxValues(event: EventEnvelope, topicPrefix = ''): [string, string, string, string, string] {
  const traceparent = currentTraceparent();
  const stored = traceparent === undefined ? event : { ...event, [OUTBOX_TRACE_KEY]: traceparent };
  return [event.id, topicForEvent(event.type, topicPrefix), event.subject, event.type, JSON.stringify(stored)];
}

/** A row's payload without its trace context, and a PRODUCER span continuing that context (if any). */
export function publication(topic: string, payload: unknown): { value: unknown; span: Span | undefined } {
  if (typeof payload !== 'object' || payload === null || !(OUTBOX_TRACE_KEY in payload)) return { value: payload, span: undefined };
  const { [OUTBOX_TRACE_KEY]: traceparent, ...value } = payload as Record<string, unknown>;
  if (typeof traceparent !== 'string') return { value, span: undefined };
  const span = startSpan(`publish ${topic}`, {
    kind: SpanKind.PRODUCER,
    parent: extractTraceparent({ [TRACEPARENT]: traceparent }),
    childOnly: true,
    attributes: { 'messaging.system': 'kafka', 'messaging.operation.type': 'send', 'messaging.destination.name': topic },
  });
  return { value, span };
}

/** Queues `event` in the caller's transaction. `topicPrefix` is KAFKA_TOPIC_PREFIX. */
export async function enqueueEvent(client: PoolClient | Pool, schema: string, event: EventEnvelope, topicPrefix = ''): Promise<void> {
  await client.query(`INSERT INTO ${ident(schema)}.outbox ${OUTBOX_COLUMNS} VALUES ($1, $2, $3, $4, $5)`, outboxValues(event, topicPrefix));
}

export interface OutboxRelayOptions {
  pool: Pool;
  schema: string;
  producer: Producer;
  logger: Logger;
  metrics?: Metrics;
  intervalMs?: number;
  batchSize?: number;
  /**
   * The wait after a pass that sent some rows but less than a batch (default 20 ms, never above
   * intervalMs): under load the next pass then carries the events of many requests instead of one or
   * two, each pass costing the same few round trips (docs/benchmarks.md, "Where the write path's time goes").
   */
  lingerMs?: number;
  /** Sent rows older than this are deleted (default 7 days). */
  retainSentMs?: number;
}

interface OutboxRow {
  id: string;
  topic: string;
  key: string;
  event_type: string;
  event_id: string;
  payload: unknown;
}

/** How long the relay waits after a pass that sent `sent` rows: none with a backlog, a linger after a partial batch, else the poll interval. */
export function nextPassDelay(sent: number, options: Pick<OutboxRelayOptions, 'intervalMs' | 'batchSize' | 'lingerMs'>): number {
  const { intervalMs = 200, batchSize = 100, lingerMs = 20 } = options;
  if (sent >= batchSize) return 0;
  return sent > 0 ? Math.min(lingerMs, intervalMs) : intervalMs;
}

export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private lastPrune = 0;
  private readonly lockKey: string;

  constructor(private readonly options: OutboxRelayOptions) {
    this.lockKey = createHash('sha256').update(`kyc-outbox:${options.schema}`).digest().readBigInt64BE(0).toString();
  }

  start(): void {
    this.stopped = false;
    const tick = (): void => {
      if (this.stopped) return;
      this.running = this.flush()
        .then((sent) => {
          // Keep draining while there is a backlog; let events gather a moment after a partial batch; otherwise poll.
          if (!this.stopped) this.timer = setTimeout(tick, nextPassDelay(sent, this.options));
        })
        .catch((error: unknown) => {
          this.options.logger.warn({ err: error, schema: this.options.schema }, 'outbox relay pass failed; retrying');
          if (!this.stopped) this.timer = setTimeout(tick, 1000);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass: publishes up to batchSize unsent rows in order; returns how many were sent. */
  async flush(): Promise<number> {
    const { pool, schema, producer, batchSize = 100 } = this.options;
    const s = ident(schema);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const locked = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [this.lockKey]);
      if (!locked.rows[0]?.locked) {
        await client.query('ROLLBACK');
        return 0;
      }
      const { rows } = await client.query<OutboxRow>(
        `SELECT id, topic, key, event_type, event_id, payload FROM ${s}.outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1`,
        [batchSize],
      );
      if (rows.length > 0) {
        // One produce request for the whole pass: rows grouped by topic, each topic's rows in id order
        // (kafkajs keeps that order per partition, and an event's partition follows its key). Events of
        // different topics were never ordered for a consumer (separate partitions).
        const byTopic = new Map<string, OutboxRow[]>();
        for (const row of rows) {
          const list = byTopic.get(row.topic);
          if (list) list.push(row);
          else byTopic.set(row.topic, [row]);
        }
        const spans: Span[] = [];
        const topicMessages = [...byTopic].map(([topic, topicRows]) => ({
          topic,
          messages: topicRows.map((row) => {
            const { value, span } = publication(topic, row.payload);
            const headers: Record<string, string> = { 'event-type': row.event_type, 'event-id': row.event_id };
            if (span) {
              spans.push(span);
              injectTraceparent(headers, contextWith(span));
            }
            return { key: row.key, value: JSON.stringify(value), headers };
          }),
        }));
        try {
          await producer.sendBatch({ acks: -1, topicMessages });
        } catch (error) {
          for (const span of spans) failSpan(span, error);
          throw error;
        } finally {
          for (const span of spans) span.end();
        }
        await client.query(`UPDATE ${s}.outbox SET sent_at = now() WHERE id = ANY($1::bigint[])`, [rows.map((row) => row.id)]);
        this.options.metrics
          ?.counter('kyc_outbox_published_total', 'Events published from the outbox', ['schema'])
          .inc({ schema }, rows.length);
      }
      if (Date.now() - this.lastPrune > 60_000) {
        this.lastPrune = Date.now();
        await client.query(`DELETE FROM ${s}.outbox WHERE sent_at < now() - ($1::bigint * interval '1 millisecond')`, [
          this.options.retainSentMs ?? 7 * 86_400_000,
        ]);
      }
      await client.query('COMMIT');
      return rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Unsent rows (metrics, tests). */
  async pending(): Promise<number> {
    const result = await this.options.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${ident(this.options.schema)}.outbox WHERE sent_at IS NULL`,
    );
    return Number(result.rows[0]?.n ?? 0);
  }
}
