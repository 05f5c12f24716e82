// Proves make deps' least privilege on Kafka (hack/deps/kafka-sasl.sh; docs/security.md, "Kafka") against a real
// broker: each service's SCRAM principal may do what its code does and is refused the rest, and the operator's
// lag reader may read offsets but not produce. The broker is a private one started by hack/deps/kafka-private.sh
// with make deps' own configuration and users (its own ports, CA and data): restarting the shared broker would
// break every other suite, and one started before this change has no SASL listener yet.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import kafkajs from 'kafkajs';
import type { Kafka } from 'kafkajs';
import { KafkaLagReader } from '../../../operator/src/scaling/sources/kafka-lag.js';
import { createKafka, createLogger, createProducer, ensureTopics, newEvent, startConsumer } from '../../../workloads/shared/index.js';
import type { RunningConsumer } from '../../../workloads/shared/kafka.js';

const run = promisify(execFile);
const script = join(process.cwd(), 'hack/deps/kafka-private.sh');
// hack/deps/kafka-private.sh's ports: the admin listener (no SASL, loopback only) and the host's SASL_SSL one.
const PORT = 29092;
const adminBroker = `127.0.0.1:${PORT}`;
const saslBroker = `127.0.0.1:${PORT + 5}`;
const logger = createLogger({ component: 'kafka-acl-test', level: 'silent' });
const TOPICS = ['kyc.events', 'customer.events', 'consent.events', 'notification.events'];

let depsDir: string;
const password = (user: string): string => readFileSync(join(depsDir, `kafka-${user}.password`), 'utf8').trim();
const caFile = (): string => join(depsDir, 'tls/ca.crt');

/** A client of `user` (kyc, notification, analytics, lag-reader) over SASL_SSL, as a service makes it. */
function clientOf(user: string, secret = password(user)): Kafka {
  return createKafka(
    [saslBroker],
    `kafka-acl-${user}`,
    logger,
    { required: true, caFile: caFile() },
    {
      mechanism: 'scram-sha-512',
      username: `kyc-${user}`,
      password: secret,
    },
  );
}

const produce = async (kafka: Kafka, topic: string, value: string): Promise<void> => {
  const producer = await createProducer(kafka);
  try {
    await producer.send({ topic, messages: [{ key: 'k', value }] });
  } finally {
    await producer.disconnect();
  }
};

const consumers: RunningConsumer[] = [];

beforeAll(async () => {
  await run(script, ['up'], { timeout: 150_000 });
  depsDir = (await run(script, ['dir'])).stdout.trim();
  // The machine's admin path: the loopback listener without SASL is the super user.
  const admin = new kafkajs.Kafka({ clientId: 'kafka-acl-admin', brokers: [adminBroker], logLevel: kafkajs.logLevel.NOTHING });
  await ensureTopics(admin, TOPICS, logger);
}, 180_000);

afterAll(async () => {
  for (const consumer of consumers) await consumer.stop().catch(() => undefined);
  await run(script, ['down'], { timeout: 60_000 });
}, 90_000);

describe('Kafka principals per service (SASL/SCRAM-SHA-512 with ACLs)', () => {
  it('when kyc produces kyc events, then notification consumes them with its own group', async () => {
    const event = newEvent('kyc.application.submitted', `acl-${Date.now()}`, {});
    let seen: (id: string) => void = () => undefined;
    const received = new Promise<string>((resolve) => (seen = resolve));
    const consumer = await startConsumer({
      kafka: clientOf('notification'),
      groupId: 'kyc-notification',
      topics: ['kyc.events'],
      logger,
      handle: (delivered) => {
        if (delivered.id === event.id) seen(delivered.id);
        return Promise.resolve();
      },
    });
    consumers.push(consumer);
    await consumer.joined;
    await produce(clientOf('kyc'), 'kyc.events', JSON.stringify(event));
    await expect(received).resolves.toBe(event.id);
    await consumer.stop();
  }, 90_000);

  it('when each service ensures the topics it uses at start, then its principal may; notification produces its own events', async () => {
    // What the services' start-up does besides consuming (workloads/*/main.ts, kyc's messaging.ts): ensureTopics.
    await ensureTopics(clientOf('kyc'), [...TOPICS, 'core-banking.events'], logger);
    await ensureTopics(clientOf('notification'), ['kyc.events', 'customer.events', 'notification.events'], logger);
    await ensureTopics(clientOf('analytics'), TOPICS, logger);
    await produce(clientOf('notification'), 'notification.events', JSON.stringify(newEvent('notification.sent', 'acl', {})));
    await expect(produce(clientOf('notification'), 'kyc.events', 'x')).rejects.toMatchObject({ type: 'TOPIC_AUTHORIZATION_FAILED' });
  }, 60_000);

  it('when kyc produces to notification events, then the broker refuses it', async () => {
    await expect(produce(clientOf('kyc'), 'notification.events', 'x')).rejects.toMatchObject({ type: 'TOPIC_AUTHORIZATION_FAILED' });
  }, 60_000);

  it("when notification consumes with analytics' group, then the group is refused", async () => {
    // kafkajs reports a refused FindCoordinator as "coordinator not found" and logs the broker's answer at debug.
    const answers: string[] = [];
    const kafka = new kafkajs.Kafka({
      clientId: 'kafka-acl-notification',
      brokers: [saslBroker],
      ssl: { ca: [readFileSync(caFile(), 'utf8')], rejectUnauthorized: true },
      sasl: { mechanism: 'scram-sha-512', username: 'kyc-notification', password: password('notification') },
      logLevel: kafkajs.logLevel.DEBUG,
      logCreator: () => (entry) => {
        const error = entry.log.error as unknown;
        if (typeof error === 'string') answers.push(error);
        else if (error instanceof Error) answers.push(error.message);
      },
    });
    const consumer = kafka.consumer({ groupId: 'kyc-analytics', retry: { retries: 0 } });
    const crashed = new Promise<unknown>((resolve) => consumer.on(consumer.events.CRASH, (event) => resolve(event.payload.error)));
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: 'kyc.events', fromBeginning: true });
      await consumer.run({ eachMessage: () => Promise.resolve() });
      await expect(crashed).resolves.toMatchObject({ name: 'KafkaJSGroupCoordinatorNotFound' });
      expect(answers).toContain('Not authorized to access group: Group authorization failed');
    } finally {
      await consumer.disconnect();
    }
  }, 60_000);

  it('when the lag reader reads a group, then it gets the lag; when it produces, then it is refused', async () => {
    const reader = new KafkaLagReader([saslBroker], 10_000, readFileSync(caFile(), 'utf8'), {
      username: 'kyc-lag-reader',
      password: password('lag-reader'),
    });
    try {
      // The first test's consumer committed its offsets on kyc.events.
      await expect(reader.lag({ group: 'kyc-notification', topics: ['kyc.events'] })).resolves.toBeGreaterThanOrEqual(0);
    } finally {
      await reader.close();
    }
    // Without Write on any topic it cannot even start an idempotent producer; a plain one is refused the topic.
    await expect(produce(clientOf('lag-reader'), 'kyc.events', 'x')).rejects.toMatchObject({ type: 'CLUSTER_AUTHORIZATION_FAILED' });
    const plain = clientOf('lag-reader').producer({ allowAutoTopicCreation: false });
    await plain.connect();
    try {
      await expect(plain.send({ topic: 'kyc.events', messages: [{ value: 'x' }] })).rejects.toMatchObject({
        type: 'TOPIC_AUTHORIZATION_FAILED',
      });
    } finally {
      await plain.disconnect();
    }
  }, 60_000);

  it('when a password is wrong, then the connection is refused', async () => {
    const admin = clientOf('kyc', 'not-the-password').admin();
    await expect(admin.connect()).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
    await admin.disconnect();
  }, 60_000);
});
