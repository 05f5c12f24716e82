// Proves the services' store clients (workloads/shared/store-tls.ts) speak verified TLS to the PostgreSQL,
// Redis and Kafka that `make deps` starts (hack/deps/tls.sh; docs/security.md, "Data in transit to the
// stores"): each connects with the deps CA, and fails with a clear error when it trusts another CA or reaches
// the store by a name its certificate does not carry. The wrong name is 127.0.0.2, a loopback address the
// certificate does not list, through a forwarder of this test's own to the store's TLS port.
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { requireEnv, uniqueSuffix } from '../../support/env.js';
import { closeRedis, createKafka, createLogger, createPool, createRedis } from '../../../workloads/shared/index.js';
import type { StoreTls } from '../../../workloads/shared/store-tls.js';

const caFile = requireEnv('DEPS_CA_FILE');
const databaseUrl = requireEnv('DATABASE_TLS_URL');
const redisUrl = requireEnv('REDIS_TLS_URL');
const kafkaBroker = requireEnv('KAFKA_TLS_BROKERS').split(',')[0]!;
const logger = createLogger({ component: 'store-tls-test', level: 'silent' });

const verified: StoreTls = { required: true, caFile };
// A public root CA: a real CA, just not the one that signed the stores' certificate.
const otherCaFile = join(mkdtempSync(join(tmpdir(), 'store-tls-')), 'other-ca.crt');
writeFileSync(otherCaFile, rootCertificates[0]!);
const otherCa: StoreTls = { required: true, caFile: otherCaFile };

const UNTRUSTED = /unable to verify the first certificate|self[- ]signed certificate|unable to get local issuer certificate/;
const WRONG_NAME = /IP: 127\.0\.0\.2 is not in the cert's list/;

/** A forwarder listening on 127.0.0.2 to `port` on 127.0.0.1; closed after the suite. */
const forwarders: Server[] = [];
async function forwardFrom127002(port: number): Promise<number> {
  const server = createServer((inbound) => {
    const outbound = connect(port, '127.0.0.1');
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
  });
  server.listen(0, '127.0.0.2');
  await once(server, 'listening');
  forwarders.push(server);
  return (server.address() as AddressInfo).port;
}

function withHost(url: string, host: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = host;
  parsed.port = String(port);
  return parsed.toString();
}

let pgViaWrongName: string;
let redisViaWrongName: string;
let kafkaViaWrongName: string;

beforeAll(async () => {
  pgViaWrongName = withHost(databaseUrl, '127.0.0.2', await forwardFrom127002(Number(new URL(databaseUrl).port)));
  redisViaWrongName = withHost(redisUrl, '127.0.0.2', await forwardFrom127002(Number(new URL(redisUrl).port)));
  kafkaViaWrongName = `127.0.0.2:${await forwardFrom127002(Number(kafkaBroker.split(':')[1]))}`;
});

afterAll(async () => {
  await Promise.all(forwarders.map((s) => new Promise((resolve) => s.close(resolve))));
});

/** The first error of one query on a fresh pool (PostgreSQL's `SELECT ssl ...` answer otherwise). */
async function postgresSsl(url: string, tls: StoreTls): Promise<{ ssl: boolean; version: string }> {
  const pool = createPool(url, { max: 1, tls, connectionTimeoutMillis: 5000 });
  try {
    const { rows } = await pool.query<{ ssl: boolean; version: string }>(
      'SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
    );
    return rows[0]!;
  } finally {
    await pool.end();
  }
}

async function redisPing(url: string, tls: StoreTls): Promise<string> {
  const redis = createRedis(url, { tls, connectionName: `store-tls-${uniqueSuffix()}` });
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => (lastError ??= error));
  try {
    return await redis.ping();
  } catch (error) {
    // ioredis reports the handshake's failure as an 'error' event and the command's as a closed connection.
    throw lastError ?? error;
  } finally {
    await closeRedis(redis);
  }
}

async function kafkaTopics(broker: string, tls: StoreTls): Promise<string[]> {
  const admin = createKafka([broker], 'store-tls-test', logger, tls).admin();
  try {
    await admin.connect();
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

describe('TLS to the stores', () => {
  describe('PostgreSQL (sslmode=verify-full)', () => {
    it('when the client trusts the deps CA, then the session is TLS', async () => {
      const session = await postgresSsl(databaseUrl, verified);
      expect(session.ssl).toBe(true);
      expect(session.version).toMatch(/^TLSv1\.[23]$/);
    });

    it('when the client trusts another CA, then the connection fails as untrusted', async () => {
      await expect(postgresSsl(databaseUrl, otherCa)).rejects.toThrow(UNTRUSTED);
    });

    it('when the client reaches it by a name the certificate lacks, then the connection fails on the name', async () => {
      await expect(postgresSsl(pgViaWrongName, verified)).rejects.toThrow(WRONG_NAME);
    });
  });

  describe('Redis (rediss://)', () => {
    it('when the client trusts the deps CA, then PING is answered over TLS', async () => {
      await expect(redisPing(redisUrl, verified)).resolves.toBe('PONG');
    });

    it('when the client trusts another CA, then the connection fails as untrusted', async () => {
      await expect(redisPing(redisUrl, otherCa)).rejects.toThrow(UNTRUSTED);
    });

    it('when the client reaches it by a name the certificate lacks, then the connection fails on the name', async () => {
      await expect(redisPing(redisViaWrongName, verified)).rejects.toThrow(WRONG_NAME);
    });
  });

  describe('Kafka (SSL listener)', () => {
    it('when the client trusts the deps CA, then the admin lists the topics', async () => {
      await expect(kafkaTopics(kafkaBroker, verified)).resolves.toEqual(expect.any(Array));
    });

    it('when the client trusts another CA, then the connection fails as untrusted', async () => {
      await expect(kafkaTopics(kafkaBroker, otherCa)).rejects.toThrow(UNTRUSTED);
    });

    it('when the client reaches it by a name the certificate lacks, then the connection fails on the name', async () => {
      await expect(kafkaTopics(kafkaViaWrongName, verified)).rejects.toThrow(WRONG_NAME);
    });
  });

  it('when TLS is required and the URLs are plaintext, then the clients refuse before connecting, naming what to set', () => {
    expect(() => createPool(requireEnv('DATABASE_URL'), { tls: verified })).toThrow(/sslmode=verify-full/);
    expect(() => createRedis(requireEnv('REDIS_URL'), { tls: verified })).toThrow(/rediss:\/\//);
  });
});
