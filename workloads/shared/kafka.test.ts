import { describe, expect, it } from '@jest/globals';
import type { Consumer, Kafka } from 'kafkajs';
import { createLogger } from './logger.js';
import { newEvent } from './events.js';
import { BROKER_SILENCE_MS, ensureTopics, startConsumer, subscribeAll } from './kafka.js';
import type { RunningConsumer } from './kafka.js';

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
      const topics = (answer ?? []).map(({ name, leaders }) => ({
        name,
        partitions: leaders.map((leader, partitionId) => ({ partitionId, leader })),
      }));
      return Promise.resolve({ topics });
    },
  };
  const kafka = { admin: () => admin } as unknown as Kafka;
  return { kafka, created, disconnected: () => disconnected, remaining: () => answers.length };
}

describe('ensureTopics', () => {
  it('creates only the missing topics and waits until every partition has a leader', async () => {
    const fake = kafkaAnswering(
      ['a'],
      [
        kafkaError('UNKNOWN_TOPIC_OR_PARTITION'),
        [
          { name: 'a', leaders: [1, 1] },
          { name: 'b', leaders: [-1, 1] },
        ],
        [
          { name: 'a', leaders: [1, 1] },
          { name: 'b', leaders: [1, 1] },
        ],
      ],
    );
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

/** A kafkajs consumer that records pause/resume and hands the test the eachBatch handler startConsumer runs. */
function runnableConsumer() {
  const calls: string[] = [];
  const listeners: Record<string, Array<() => void>> = {};
  let eachBatch: ((payload: unknown) => Promise<void>) | undefined;
  const consumer = {
    events: { CRASH: 'crash', GROUP_JOIN: 'group_join', HEARTBEAT: 'heartbeat', FETCH: 'fetch' },
    connect: () => Promise.resolve(),
    subscribe: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    on: (event: string, listener: () => void) => {
      (listeners[event] ??= []).push(listener);
      return () => undefined;
    },
    run: (options: { eachBatch: (payload: unknown) => Promise<void> }) => {
      eachBatch = options.eachBatch;
      return Promise.resolve();
    },
    pause: (partitions: Array<{ topic: string }>) => calls.push(`pause ${partitions.map((p) => p.topic).join(',')}`),
    resume: (partitions: Array<{ topic: string }>) => calls.push(`resume ${partitions.map((p) => p.topic).join(',')}`),
  };
  const kafka = { consumer: () => consumer } as unknown as Kafka;
  const batch = async (offsets: string[]): Promise<string[]> => {
    const resolved: string[] = [];
    const messages = offsets.map((offset) => ({
      offset,
      value: Buffer.from(JSON.stringify(newEvent('kyc.application.submitted', `app-${offset}`, {}))),
    }));
    await eachBatch?.({
      batch: { topic: 'kyc', partition: 0, messages, offsetLag: () => '0' },
      isRunning: () => true,
      isStale: () => false,
      resolveOffset: (offset: string) => resolved.push(offset),
      heartbeat: () => Promise.resolve(),
    });
    return resolved;
  };
  const rejoin = () => listeners.group_join?.forEach((listener) => listener());
  const heartbeat = () => listeners.heartbeat?.forEach((listener) => listener());
  return { kafka, calls, batch, rejoin, heartbeat };
}

describe('startConsumer pause and resume', () => {
  it('when paused mid-batch, then the event in hand finishes, the rest stays unresolved for after resume, and a rebalance keeps the pause', async () => {
    const fake = runnableConsumer();
    const handled: string[] = [];
    const running: RunningConsumer = await startConsumer({
      kafka: fake.kafka,
      groupId: 'g',
      topics: ['kyc', 'customer'],
      logger,
      handle: (event) => {
        handled.push(event.subject);
        if (event.subject === 'app-1') running.pause();
        return Promise.resolve();
      },
    });
    expect(await fake.batch(['0', '1', '2'])).toEqual(['0', '1']);
    expect(handled).toEqual(['app-0', 'app-1']);
    expect(running.isPaused()).toBe(true);
    expect(fake.calls).toEqual(['pause kyc,customer']);
    fake.rejoin();
    expect(fake.calls).toEqual(['pause kyc,customer', 'pause kyc,customer']);
    // A batch kafkajs had fetched before the pause is not handled either.
    expect(await fake.batch(['2'])).toEqual([]);
    running.resume();
    running.resume();
    expect(fake.calls.at(-1)).toBe('resume kyc,customer');
    expect(fake.calls.filter((c) => c.startsWith('resume'))).toHaveLength(1);
    expect(await fake.batch(['2'])).toEqual(['2']);
    expect(handled).toEqual(['app-0', 'app-1', 'app-2']);
  });
});

describe('startConsumer health', () => {
  it('when the brokers stay silent for the session timeout, then the consumer reports itself unhealthy, and healthy again at the next heartbeat', async () => {
    const fake = runnableConsumer();
    let now = 1_000_000;
    const running = await startConsumer({
      kafka: fake.kafka,
      groupId: 'g',
      topics: ['kyc'],
      logger,
      now: () => now,
      handle: () => Promise.resolve(),
    });
    expect(running.isHealthy()).toBe(true);
    now += BROKER_SILENCE_MS - 1;
    expect(running.isHealthy()).toBe(true);
    now += 2;
    expect(running.isHealthy()).toBe(false); // kafkajs retries a lost broker without crashing: silence is the sign
    fake.heartbeat();
    expect(running.isHealthy()).toBe(true);
  });
});

describe('startConsumer failures', () => {
  it('when PostgreSQL is away for longer than the attempts allow, then the event waits for it and is handled once it is back, never skipped', async () => {
    const fake = runnableConsumer();
    let calls = 0;
    await startConsumer({
      kafka: fake.kafka,
      groupId: 'g',
      topics: ['kyc'],
      logger,
      maxAttempts: 2,
      handle: () => {
        calls += 1;
        // What pg throws while the server restarts: not the event's fault.
        if (calls <= 4) return Promise.reject(new Error('Connection terminated unexpectedly'));
        return Promise.resolve();
      },
    });
    expect(await fake.batch(['0'])).toEqual(['0']);
    expect(calls).toBe(5);
  });

  it('when the event itself keeps failing, then it is skipped after maxAttempts, counting only its own failures', async () => {
    const fake = runnableConsumer();
    const errors = [new Error('Connection terminated unexpectedly'), new TypeError('bad data'), new TypeError('bad data')];
    let calls = 0;
    await startConsumer({
      kafka: fake.kafka,
      groupId: 'g',
      topics: ['kyc'],
      logger,
      maxAttempts: 2,
      handle: () => {
        const error = errors[calls] ?? new Error('should not be called again');
        calls += 1;
        return Promise.reject(error);
      },
    });
    expect(await fake.batch(['0', '1'])).toEqual(['0', '1']);
    // Offset 0: one dependency failure (not counted), then two of its own; offset 1: two of its own.
    expect(calls).toBe(5);
  });
});
