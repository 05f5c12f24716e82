import { describe, expect, it } from '@jest/globals';
import type { Consumer, Kafka } from 'kafkajs';
import { createLogger } from './logger.js';
import { ensureTopics, subscribeAll } from './kafka.js';

const logger = createLogger({ component: 'kafka-test', level: 'silent' });

/** A consumer whose subscribe answers with the given errors, in turn, before succeeding. */
function consumerFailing(...errors: Array<Error & { type?: string }>): { consumer: Consumer; subscribed: string[]; calls: () => number } {
  const subscribed: string[] = [];
  let calls = 0;
  const consumer = {
    subscribe: ({ topic }: { topic: string }) => {
      calls += 1;
      const error = errors.shift();
      if (error) return Promise.reject(error);
      subscribed.push(topic);
      return Promise.resolve();
    },
  } as unknown as Consumer;
  return { consumer, subscribed, calls: () => calls };
}

const kafkaError = (type: string): Error & { type: string } => Object.assign(new Error(type), { type });

describe('subscribeAll', () => {
  it('waits out a topic the broker does not serve yet and subscribes to every topic', async () => {
    const fake = consumerFailing(kafkaError('UNKNOWN_TOPIC_OR_PARTITION'), kafkaError('LEADER_NOT_AVAILABLE'));
    await subscribeAll(fake.consumer, ['a', 'b'], true, logger);
    expect(fake.subscribed).toEqual(['a', 'b']);
    expect(fake.calls()).toBe(4);
  });

  it('recognises the error kafkajs wraps after its own retries', async () => {
    const wrapped = Object.assign(new Error('retries exceeded'), { originalError: kafkaError('UNKNOWN_TOPIC_OR_PARTITION') });
    const fake = consumerFailing(wrapped);
    await subscribeAll(fake.consumer, ['a'], true, logger);
    expect(fake.subscribed).toEqual(['a']);
  });

  it('fails at once on any other error', async () => {
    const fake = consumerFailing(kafkaError('TOPIC_AUTHORIZATION_FAILED'));
    await expect(subscribeAll(fake.consumer, ['a'], true, logger)).rejects.toThrow('TOPIC_AUTHORIZATION_FAILED');
    expect(fake.calls()).toBe(1);
  });

  it('gives up after the deadline', async () => {
    const fake = consumerFailing(...Array.from({ length: 50 }, () => kafkaError('UNKNOWN_TOPIC_OR_PARTITION')));
    await expect(subscribeAll(fake.consumer, ['a'], true, logger, 300)).rejects.toThrow('UNKNOWN_TOPIC_OR_PARTITION');
    expect(fake.subscribed).toEqual([]);
  });
});

/** A Kafka whose admin knows `existing` topics and answers metadata requests from `answers`, in turn. */
function kafkaAnswering(existing: string[], answers: Array<Error | Array<{ name: string; leaders: number[] }>>) {
  const created: string[] = [];
  let disconnected = false;
  const admin = {
    connect: () => Promise.resolve(),
    disconnect: () => {
      disconnected = true;
      return Promise.resolve();
    },
    listTopics: () => Promise.resolve(existing),
    createTopics: ({ topics }: { topics: Array<{ topic: string }> }) => {
      created.push(...topics.map((t) => t.topic));
      return Promise.resolve(true);
    },
    fetchTopicMetadata: () => {
      const answer = answers.length > 1 ? answers.shift() : answers[0];
      if (answer instanceof Error) return Promise.reject(answer);
      const topics = (answer ?? []).map(({ name, leaders }) => ({ name, partitions: leaders.map((leader, partitionId) => ({ partitionId, leader })) }));
      return Promise.resolve({ topics });
    },
  };
  const kafka = { admin: () => admin } as unknown as Kafka;
  return { kafka, created, disconnected: () => disconnected, remaining: () => answers.length };
}

describe('ensureTopics', () => {
  it('creates only the missing topics and waits until every partition has a leader', async () => {
    const fake = kafkaAnswering(['a'], [
      kafkaError('UNKNOWN_TOPIC_OR_PARTITION'),
      [{ name: 'a', leaders: [1, 1] }, { name: 'b', leaders: [-1, 1] }],
      [{ name: 'a', leaders: [1, 1] }, { name: 'b', leaders: [1, 1] }],
    ]);
    await ensureTopics(fake.kafka, ['a', 'b'], logger);
    expect(fake.created).toEqual(['b']);
    expect(fake.remaining()).toBe(1);
    expect(fake.disconnected()).toBe(true);
  });

  it('fails at once on any other error, and disconnects the admin client', async () => {
    const fake = kafkaAnswering([], [kafkaError('TOPIC_AUTHORIZATION_FAILED')]);
    await expect(ensureTopics(fake.kafka, ['a'], logger)).rejects.toThrow('TOPIC_AUTHORIZATION_FAILED');
    expect(fake.disconnected()).toBe(true);
  });

  it('gives up after the deadline, naming the topic without a leader', async () => {
    const fake = kafkaAnswering([], [[{ name: 'a', leaders: [-1] }]]);
    await expect(ensureTopics(fake.kafka, ['a'], logger, 3, 300)).rejects.toThrow('topic a has no leader yet');
  });
});
