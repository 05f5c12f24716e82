// `make bench-kafka`: the Kafka client side by side in one run, kafkajs (the services' client,
// workloads/shared/kafka.ts) and @platformatic/kafka (pure JavaScript, speaks Kafka 4), against make deps'
// Kafka (KAFKA_BROKERS), each scenario alternated between the two clients BENCH_KAFKA_ROUNDS times:
//   1. produce as the outbox relay does (workloads/shared/outbox.ts): an idempotent producer, acks from
//      every in-sync replica, one batch of 100 events (an envelope of ~600 bytes with the event-type and
//      event-id headers) at a time, the next only when the last is acknowledged;
//   2. consume as a service does: a new group reads a topic of BENCH_KAFKA_MESSAGES events from the start,
//      parses each value as JSON, commits automatically.
// Figures per scenario: messages per second, batch latency p50/p99 (produce), the time to the first message
// (consume: the group join), and this process's CPU per message (user + system, process.cpuUsage), the
// steadier figure on a shared machine. Results go to stdout and to docs/benchmarks/history.md ("Kafka
// clients"); docs/benchmarks.md keeps the reading and the recommendation.
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  Admin as PlatformaticAdmin,
  Consumer as PlatformaticConsumer,
  Producer as PlatformaticProducer,
  ProduceAcks,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import kafkajs from 'kafkajs';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../..');
const MESSAGES = Number(process.env.BENCH_KAFKA_MESSAGES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_KAFKA_ROUNDS ?? 3);
/** The outbox relay's batch (OutboxRelay's batchSize default). */
const BATCH = 100;
const PARTITIONS = 3;
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
if (brokers.length === 0) throw new Error('KAFKA_BROKERS is not set: run through hack/with-env.sh (make bench-kafka)');

type Client = 'kafkajs' | '@platformatic/kafka';
interface Figures {
  client: Client;
  scenario: 'produce' | 'consume';
  round: number;
  perSecond: number;
  p50Ms?: number;
  p99Ms?: number;
  firstMessageMs?: number;
  cpuUsPerMessage: number;
}

interface Event {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** An event as the outbox publishes it: the envelope of workloads/shared/events.ts, ~600 bytes. */
function event(i: number): Event {
  const eventId = randomUUID();
  const value = JSON.stringify({
    eventId,
    eventType: 'kyc.application.submitted',
    occurredAt: new Date().toISOString(),
    version: 1,
    traceparent: `00-${randomUUID().replace(/-/g, '')}-${randomUUID().replace(/-/g, '').slice(0, 16)}-01`,
    data: {
      applicationId: randomUUID(),
      customerId: randomUUID(),
      status: 'SUBMITTED',
      riskBand: i % 3 === 0 ? 'HIGH' : 'LOW',
      documents: [
        { id: randomUUID(), kind: 'PAN' },
        { id: randomUUID(), kind: 'AADHAAR' },
      ],
      submittedAt: new Date().toISOString(),
      channel: 'web',
    },
  });
  return { key: randomUUID(), value, headers: { 'event-type': 'kyc.application.submitted', 'event-id': eventId } };
}

const batches = (count: number): Event[][] =>
  Array.from({ length: Math.ceil(count / BATCH) }, (_, b) =>
    Array.from({ length: Math.min(BATCH, count - b * BATCH) }, (__, i) => event(b * BATCH + i)),
  );

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
const cpuMicros = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/** The produce loop, the same for both: one batch in flight, timed from send to acknowledgement. */
async function timedProduce(client: Client, round: number, work: Event[][], send: (batch: Event[]) => Promise<unknown>): Promise<Figures> {
  await send(work[0] ?? []); // warm: connection, metadata, producer id
  const latencies: number[] = [];
  const cpu = cpuMicros();
  const started = performance.now();
  let sent = 0;
  for (const batch of work.slice(1)) {
    const t = performance.now();
    await send(batch);
    latencies.push(performance.now() - t);
    sent += batch.length;
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    client,
    scenario: 'produce',
    round,
    perSecond: sent / seconds,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    cpuUsPerMessage: (cpuMicros() - cpu) / sent,
  };
}

const kafkajsClient = (): kafkajs.Kafka =>
  new kafkajs.Kafka({ clientId: `bench-kafkajs-${process.pid}`, brokers, logLevel: kafkajs.logLevel.NOTHING });

async function produceKafkajs(topic: string, round: number): Promise<Figures> {
  const producer = kafkajsClient().producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    return await timedProduce('kafkajs', round, batches(MESSAGES + BATCH), (batch) =>
      producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: batch }] }),
    );
  } finally {
    await producer.disconnect();
  }
}

async function producePlatformatic(topic: string, round: number): Promise<Figures> {
  const producer = new PlatformaticProducer({
    clientId: `bench-platformatic-${process.pid}`,
    bootstrapBrokers: brokers,
    serializers: stringSerializers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    autocreateTopics: false,
  });
  try {
    return await timedProduce('@platformatic/kafka', round, batches(MESSAGES + BATCH), (batch) =>
      producer.send({ messages: batch.map((m) => ({ topic, ...m })) }),
    );
  } finally {
    await producer.close();
  }
}

/** The consume loop's clock, the same for both: from subscribing to the last message, CPU over the whole read. */
function consumeClock(client: Client, round: number): { seen: () => boolean; figures: () => Figures } {
  const cpu = cpuMicros();
  const started = performance.now();
  let first = 0;
  let count = 0;
  let last = 0;
  return {
    seen: () => {
      count += 1;
      if (count === 1) first = performance.now();
      if (count === MESSAGES) last = performance.now();
      return count === MESSAGES;
    },
    figures: () => ({
      client,
      scenario: 'consume',
      round,
      // First to last message: the group join is reported on its own.
      perSecond: (MESSAGES - 1) / ((last - first) / 1000),
      firstMessageMs: first - started,
      cpuUsPerMessage: (cpuMicros() - cpu) / MESSAGES,
    }),
  };
}

async function consumeKafkajs(topic: string, round: number): Promise<Figures> {
  const consumer = kafkajsClient().consumer({ groupId: `bench-kafkajs-${randomUUID()}` });
  await consumer.connect();
  const clock = consumeClock('kafkajs', round);
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: ({ message }) => {
            JSON.parse(message.value?.toString() ?? 'null');
            if (clock.seen()) resolve();
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
    return clock.figures();
  } finally {
    await consumer.disconnect();
  }
}

async function consumePlatformatic(topic: string, round: number): Promise<Figures> {
  const consumer = new PlatformaticConsumer({
    clientId: `bench-platformatic-${process.pid}`,
    groupId: `bench-platformatic-${randomUUID()}`,
    bootstrapBrokers: brokers,
    deserializers: stringDeserializers,
  });
  const clock = consumeClock('@platformatic/kafka', round);
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: true });
    await new Promise<void>((resolve, reject) => {
      stream.on('error', reject);
      stream.on('data', (message: { value: string }) => {
        JSON.parse(message.value);
        if (clock.seen()) resolve();
      });
    });
    await stream.close();
    return clock.figures();
  } finally {
    await consumer.close(true);
  }
}

async function main(): Promise<void> {
  const suffix = randomUUID().slice(0, 8);
  const topics = { kafkajs: `bench.kafkajs.${suffix}`, platformatic: `bench.platformatic.${suffix}`, read: `bench.read.${suffix}` };
  const admin = new PlatformaticAdmin({ clientId: `bench-admin-${process.pid}`, bootstrapBrokers: brokers });
  await admin.createTopics({ topics: Object.values(topics), partitions: PARTITIONS, replicas: 1 });
  const results: Figures[] = [];
  try {
    // The topic the consumers read, written once (by kafkajs, the services' client).
    const filler = kafkajsClient().producer({ idempotent: true, maxInFlightRequests: 1 });
    await filler.connect();
    for (const batch of batches(MESSAGES)) await filler.sendBatch({ acks: -1, topicMessages: [{ topic: topics.read, messages: batch }] });
    await filler.disconnect();

    for (let round = 1; round <= ROUNDS; round += 1) {
      // Alternated, and the order flips each round, so that neither always runs on a warmer broker.
      const pair = round % 2 === 1 ? (['kafkajs', 'platformatic'] as const) : (['platformatic', 'kafkajs'] as const);
      for (const which of pair) {
        const figures =
          which === 'kafkajs' ? await produceKafkajs(topics.kafkajs, round) : await producePlatformatic(topics.platformatic, round);
        results.push(figures);
        process.stdout.write(`${line(figures)}\n`);
      }
      for (const which of pair) {
        const figures = which === 'kafkajs' ? await consumeKafkajs(topics.read, round) : await consumePlatformatic(topics.read, round);
        results.push(figures);
        process.stdout.write(`${line(figures)}\n`);
      }
    }
  } finally {
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.close();
  }
  record(results);
}

const fixed = (n: number | undefined, digits = 0): string => (n === undefined ? '—' : n.toFixed(digits));
function line(f: Figures): string {
  return `${f.scenario.padEnd(8)} ${f.client.padEnd(20)} round ${f.round}: ${fixed(f.perSecond)} msg/s, ${
    f.scenario === 'produce'
      ? `batch p50 ${fixed(f.p50Ms, 1)} ms, p99 ${fixed(f.p99Ms, 1)} ms`
      : `first message after ${fixed(f.firstMessageMs)} ms`
  }, CPU ${fixed(f.cpuUsPerMessage, 1)} µs/msg`;
}

function record(results: Figures[]): void {
  const [load1, load5] = os.loadavg();
  const cpus = os.cpus();
  const machine = `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`;
  const header = `\n## Kafka clients, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n${machine}; load average ${fixed(load1, 1)} / ${fixed(load5, 1)} at the end; ${MESSAGES} messages per scenario, batches of ${BATCH}, ${PARTITIONS} partitions, kafkajs ${kafkajsVersion()} vs @platformatic/kafka ${platformaticVersion()}.\n\n| scenario | client | round | msg/s | batch p50 / p99 ms | first message ms | CPU µs/msg |\n|---|---|---:|---:|---|---:|---:|\n`;
  const rows = results
    .map(
      (f) =>
        `| ${f.scenario} | ${f.client} | ${f.round} | ${fixed(f.perSecond)} | ${f.scenario === 'produce' ? `${fixed(f.p50Ms, 1)} / ${fixed(f.p99Ms, 1)}` : '—'} | ${fixed(f.firstMessageMs)} | ${fixed(f.cpuUsPerMessage, 1)} |`,
    )
    .join('\n');
  const file = path.join(REPO, 'docs/benchmarks/history.md');
  if (!existsSync(file)) writeFileSync(file, '# Benchmarks: run history\n');
  appendFileSync(file, `${header}${rows}\n`);
  process.stdout.write(`\nappended to ${path.relative(process.cwd(), file)}\n`);
}

/** The installed version of a dependency of this repository (both clients are). */
function version(pkg: string): string {
  const json = JSON.parse(readFileSync(path.join(REPO, 'node_modules', pkg, 'package.json'), 'utf8')) as { version?: string };
  return json.version ?? '?';
}
const kafkajsVersion = (): string => version('kafkajs');
const platformaticVersion = (): string => version('@platformatic/kafka');

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
