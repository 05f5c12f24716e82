// Helpers for the workloads' component tests: a private database per test file, unique Redis and
// Kafka prefixes, captured logs, and small HTTP helpers.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  OutboxRelay,
  createKafka,
  createLogger,
  createPool,
  createProducer,
  enqueueEvent,
  familyTopic,
  memoryDestination,
  outboxMigration,
  parseEnvelope,
  parseSigningKeys,
  publicJwks,
  runMigrations,
  signAccessToken,
  subscribeAll,
  withTransaction,
} from '../../../workloads/shared/index.js';
import type {
  Consumer,
  EventEnvelope,
  EventFamily,
  Logger,
  Pool,
  Principal,
  Producer,
  SigningKey,
} from '../../../workloads/shared/index.js';

/** A fresh Ed25519 key ring in AUTH_SIGNING_KEYS form (`kid:base64(PKCS#8 DER)`), one key per kid. */
export function newSigningKeys(...kids: string[]): string {
  return kids
    .map((kid) => `${kid}:${generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64')}`)
    .join(',');
}

/** A JWKS server for a key ring (what auth serves at /.well-known/jwks.json), on a free loopback port. */
export async function startJwksServer(ring: string): Promise<{ url: string; requests(): number; close(): Promise<void> }> {
  const body = JSON.stringify(publicJwks(parseSigningKeys(ring)));
  let count = 0;
  const server = createServer((_req, res) => {
    count += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections would otherwise go on answering (and hold close() open).
        server.closeAllConnections();
      }),
  };
}

/**
 * The test platform's token keys: AUTH_SIGNING_KEYS for auth, and for every other service the JWKS URL
 * of a server publishing the same ring, so tokens from auth and from signToken verify alike.
 */
export const SIGNING_KEYS = newSigningKeys('test-1');
const signingKey = parseSigningKeys(SIGNING_KEYS)[0] as SigningKey;
const jwks = await startJwksServer(SIGNING_KEYS);
export const JWKS_URL = jwks.url;

/** An access token as auth would sign it (tests that need no auth service). */
export function signToken(principal: Principal, ttlSeconds?: number): Promise<string> {
  return Promise.resolve(signAccessToken(principal, signingKey, ttlSeconds === undefined ? {} : { ttlSeconds }));
}

/** What a service other than auth needs to verify tokens: auth's keys and the platform's revocation list. */
export function verifierEnv(): { AUTH_JWKS_URL: string; REDIS_URL: string } {
  return { AUTH_JWKS_URL: JWKS_URL, REDIS_URL: requireEnv('REDIS_URL') };
}

export function requireEnv(name: 'DATABASE_URL' | 'REDIS_URL' | 'KAFKA_BROKERS'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through hack/with-env.sh (make deps first)`);
  return value;
}

export const suffix = (): string => randomBytes(5).toString('hex');

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** CREATE DATABASE kyc_test_<random>; drop() removes it (terminating leftover connections). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = requireEnv('DATABASE_URL');
  const name = `kyc_test_${suffix()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface CapturedLogs {
  logger: Logger;
  text(): string;
}

export function captureLogs(component: string, level = 'debug'): CapturedLogs {
  const destination = memoryDestination();
  return { logger: createLogger({ component, level, destination }), text: () => destination.text() };
}

export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function request<T = Record<string, unknown>>(
  url: string,
  init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined || init.rawBody !== undefined) headers['content-type'] ??= 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const response = await fetch(url, {
    method: init.method ?? (init.body !== undefined || init.rawBody !== undefined ? 'POST' : 'GET'),
    headers,
    body: init.rawBody ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
  });
  const text = await response.text();
  let body: unknown = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { raw: text };
  }
  return { status: response.status, headers: response.headers, body: body as T, text };
}

export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The environment an event-driven service (notification, analytics) starts with against `db` and the shared Kafka. */
export function eventServiceEnv(db: TestDatabase, prefix: string): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
    KAFKA_TOPIC_PREFIX: prefix,
    ...verifierEnv(),
    SHUTDOWN_GRACE_MS: '1000',
  };
}

/** Events written as the kyc service writes them: to an outbox (schema producer_test of `db`) that a relay hands to Kafka. */
export interface OutboxPublisher {
  /** A pool on `db`, for the test's own queries too. */
  pool: Pool;
  /** The relay's producer, for what the outbox would never write (a duplicate, a malformed message). */
  producer: Producer;
  relay: OutboxRelay;
  /** Writes `events` to the outbox in one transaction. */
  publish(...events: EventEnvelope[]): Promise<void>;
  close(): Promise<void>;
}

export async function startOutboxPublisher(db: TestDatabase, prefix: string, logger: Logger): Promise<OutboxPublisher> {
  const pool = createPool(db.url);
  let producer: Producer | undefined;
  try {
    await runMigrations(pool, 'producer_test', [outboxMigration(1)]);
    producer = await createProducer(createKafka([requireEnv('KAFKA_BROKERS')], `test-${suffix()}`, logger));
  } catch (error) {
    await pool.end();
    throw error;
  }
  const relay = new OutboxRelay({ pool, schema: 'producer_test', producer, logger, intervalMs: 50 });
  relay.start();
  const publishing = producer;
  return {
    pool,
    producer: publishing,
    relay,
    async publish(...events) {
      await withTransaction(pool, async (client) => {
        for (const event of events) await enqueueEvent(client, 'producer_test', event, prefix);
      });
    },
    async close() {
      await relay.stop();
      await publishing.disconnect();
      await pool.end();
    },
  };
}

/** Reads every event on the topics of `families` from the beginning, with a private consumer group. */
export class EventCollector {
  readonly events: Array<EventEnvelope & { topic: string }> = [];
  private consumer: Consumer | undefined;

  constructor(
    private readonly topicPrefix: string,
    private readonly families: readonly EventFamily[] = ['kyc', 'customer', 'consent'],
  ) {}

  async start(): Promise<void> {
    const logs = captureLogs('collector', 'error');
    const kafka = createKafka([requireEnv('KAFKA_BROKERS')], `kyc-test-collector-${suffix()}`, logs.logger);
    const consumer = kafka.consumer({
      groupId: `${this.topicPrefix}collector-${suffix()}`,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
    });
    this.consumer = consumer;
    await consumer.connect();
    const topics = this.families.map((family) => familyTopic(family, this.topicPrefix));
    await subscribeAll(consumer, topics, true, logs.logger);
    await consumer.run({
      eachMessage: ({ topic, message }) => {
        const event = parseEnvelope(message.value);
        if (event) this.events.push({ ...event, topic });
        return Promise.resolve();
      },
    });
  }

  about(subject: string): Array<EventEnvelope & { topic: string }> {
    return this.events.filter((e) => e.subject === subject || (e.data as { applicationId?: string }).applicationId === subject);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/** A live-settings file in a directory of its own, written as the operator's ConfigMap would be (docs/api.md, "Feature flags"). */
export interface LiveSettingsFile {
  path: string;
  write(settings: Record<string, unknown>): Promise<void>;
  remove(): Promise<void>;
}

export async function liveSettingsFile(dirPrefix: string): Promise<LiveSettingsFile> {
  const dir = await mkdtemp(path.join(tmpdir(), dirPrefix));
  const file = path.join(dir, 'live-settings.json');
  return {
    path: file,
    // Whole or not at all, as the kubelet swaps a ConfigMap volume: a reader never sees half a document
    // (which it would reject, and count as rejected).
    write: async (settings) => {
      await writeFile(`${file}.next`, JSON.stringify(settings));
      await rename(`${file}.next`, file);
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
