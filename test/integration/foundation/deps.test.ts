// Proves PostgreSQL, Redis and Kafka started by `make deps` are real and reachable.
import { describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { requireEnv, uniqueSuffix } from '../../support/env.js';
import { createLogger, ensureTopics, subscribeAll } from '../../../workloads/shared/index.js';

describe('the local dependencies', () => {
  it('PostgreSQL creates a table and reads a row back', async () => {
    const client = new pg.Client({ connectionString: requireEnv('DATABASE_URL') });
    await client.connect();
    try {
      const table = `foundation_${uniqueSuffix()}`;
      await client.query(`create table ${table} (id int primary key, note text not null)`);
      await client.query(`insert into ${table} values ($1, $2)`, [1, 'hello']);
      const { rows } = await client.query<{ note: string }>(`select note from ${table} where id = 1`);
      expect(rows).toEqual([{ note: 'hello' }]);
      await client.query(`drop table ${table}`);
    } finally {
      await client.end();
    }
  });

  it('Redis SETs and GETs a key', async () => {
    const redis = new Redis(requireEnv('REDIS_URL'), { lazyConnect: true, maxRetriesPerRequest: 2 });
    await redis.connect();
    try {
      const key = `foundation:${uniqueSuffix()}`;
      await redis.set(key, 'value', 'EX', 60);
      expect(await redis.get(key)).toBe('value');
      await redis.del(key);
    } finally {
      redis.disconnect();
    }
  });

  it('Kafka produces and consumes one message on a new topic', async () => {
    const kafka = new Kafka({ clientId: 'foundation-test', brokers: requireEnv('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
    const topic = `foundation.${uniqueSuffix()}`;
    // A freshly started broker can take a few seconds to serve a new topic; ensureTopics waits for it.
    const logger = createLogger({ component: 'foundation-test', level: 'silent' });
    await ensureTopics(kafka, [topic], logger, 1);
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: `foundation-${uniqueSuffix()}` });
    try {
      await producer.connect();
      await producer.send({ topic, messages: [{ key: 'k', value: 'hello kafka' }] });
      await consumer.connect();
      await subscribeAll(consumer, [topic], true, logger);
      const received = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no message within 45 s')), 45_000);
        void consumer.run({
          eachMessage: ({ message }) => {
            clearTimeout(timer);
            resolve(message.value?.toString() ?? '');
            return Promise.resolve();
          },
        });
      });
      expect(received).toBe('hello kafka');
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  }, 60_000);
});
