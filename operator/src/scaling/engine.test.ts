import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import { createLogger } from '../runtime/logger.js';
import { MetricUnavailableError } from '../api/metrics.js';
import { ScalingEngine, type LagSource } from './engine.js';

const selector = { 'kyc.dev/platform': 'acme', 'kyc.dev/component': 'kyc' };
/** The fixtures' Kafka Secret (kyc-test/kyc-kafka), read by name as the operator does. */
const readSecret = (namespace: string, name: string): Promise<Record<string, string> | undefined> =>
  Promise.resolve(namespace === 'kyc-test' && name === 'kyc-kafka' ? { brokers: 'kafka:9092' } : undefined);

function fakeLag(): LagSource & { next: number | Error; seen: unknown[] } {
  const source = {
    next: 0 as number | Error,
    seen: [] as unknown[],
    lag(target: unknown): Promise<number> {
      source.seen.push(target);
      return source.next instanceof Error ? Promise.reject(source.next) : Promise.resolve(source.next);
    },
    close: () => Promise.resolve(),
  };
  return source;
}

describe('ScalingEngine', () => {
  const p = platform({
    autoscaling: {
      metrics: { queueLag: { targetLagPerReplica: 100, components: ['kyc'] } },
      fallback: { failureThreshold: 2, replicas: 4 },
    },
  });

  it('serves the last reading, falls back after the threshold and reports transitions', async () => {
    const lag = fakeLag();
    const transitions: string[] = [];
    const engine = new ScalingEngine({
      logger: createLogger('error'),
      pollIntervalMs: 1000,
      readSecret,
      connectKafka: () => lag,
      onTransition: (_k, c, m, t) => transitions.push(`${c}/${m}/${t}`),
    });
    engine.sync('kyc-test/acme', p, { kyc: 2 });
    expect(() => engine.value('kyc-test', 'kafka-consumer-lag', selector)).toThrow(MetricUnavailableError);

    lag.next = 4200;
    await engine.pollOnce();
    expect(lag.seen).toEqual([{ group: 'kyc-automatic-checks', topics: ['kyc.events'] }]);
    expect(engine.value('kyc-test', 'kafka-consumer-lag', selector).value).toBe(4200);

    lag.next = new Error('broker down');
    await engine.pollOnce();
    // Failing but below the threshold: no value, so the HPA keeps its count.
    expect(() => engine.value('kyc-test', 'kafka-consumer-lag', selector)).toThrow(/failing: broker down/);
    await engine.pollOnce();
    expect(engine.inFallback('kyc-test/acme', 'kyc')).toBe(true);
    expect(engine.value('kyc-test', 'kafka-consumer-lag', selector).value).toBe(400); // 4 replicas × 100

    lag.next = 10;
    await engine.pollOnce();
    expect(engine.value('kyc-test', 'kafka-consumer-lag', selector).value).toBe(10);
    expect(transitions).toEqual(['kyc/kafka-consumer-lag/failed', 'kyc/kafka-consumer-lag/fallback', 'kyc/kafka-consumer-lag/recovered']);
    await engine.stop();
  });

  it("holds each component at its own fallback, else at the platform's", async () => {
    const lag = fakeLag();
    lag.next = new Error('broker down');
    const engine = new ScalingEngine({ logger: createLogger('error'), pollIntervalMs: 1000, readSecret, connectKafka: () => lag });
    const notification = { ...selector, 'kyc.dev/component': 'notification' };
    const spec = { metrics: { queueLag: { targetLagPerReplica: 100 } }, fallback: { failureThreshold: 2, replicas: 4 } };
    engine.sync(
      'kyc-test/acme',
      platform({ autoscaling: spec, components: { kyc: { autoscaling: { fallback: { failureThreshold: 1, replicas: 7 } } } } }),
      { kyc: 2, notification: 2 },
    );
    await engine.pollOnce();
    expect(engine.value('kyc-test', 'kafka-consumer-lag', selector).value).toBe(700); // kyc: 1 failure is enough, 7 × 100
    expect(engine.inFallback('kyc-test/acme', 'notification')).toBe(false);
    await engine.pollOnce();
    expect(engine.value('kyc-test', 'kafka-consumer-lag', notification).value).toBe(400);
    // Without its own fallback, kyc takes the platform's at the next sync.
    engine.sync('kyc-test/acme', platform({ autoscaling: spec }), {});
    expect(engine.value('kyc-test', 'kafka-consumer-lag', selector).value).toBe(400);
    await engine.stop();
  });

  it('answers only for the platform, component and metric it knows', () => {
    const engine = new ScalingEngine({ logger: createLogger('error'), pollIntervalMs: 1000 });
    engine.sync('kyc-test/acme', p, {});
    expect(engine.metricNames()).toEqual(['kafka-consumer-lag']);
    expect(() => engine.value('kyc-test', 'kafka-consumer-lag', { 'kyc.dev/platform': 'acme' })).toThrow(/selector must name/);
    expect(() => engine.value('other', 'kafka-consumer-lag', selector)).toThrow(/no metric/);
    engine.sync('kyc-test/acme', platform({}), {});
    expect(engine.readings('kyc-test/acme', 'kyc')).toEqual([]);
  });

  it('reads lag as a failure when the operator cannot read Secrets', async () => {
    const engine = new ScalingEngine({ logger: createLogger('error'), pollIntervalMs: 1000 });
    engine.sync('kyc-test/acme', p, {});
    await engine.pollOnce();
    expect(engine.readings('kyc-test/acme', 'kyc')[0]?.state.lastError).toMatch(/Kafka lag is not configured/);
    engine.forget('kyc-test/acme');
    expect(engine.metricNames()).toEqual([]);
  });

  it("reads each platform's lag from its own Kafka Secret; a platform whose Secret is missing fails alone", async () => {
    const opened: string[] = [];
    const secrets: Record<string, Record<string, string>> = {
      'kyc-test/kyc-kafka': { brokers: 'ours:9092' },
      'kyc-test/their-kafka': { brokers: 'theirs:9092' },
    };
    const engine = new ScalingEngine({
      logger: createLogger('error'),
      pollIntervalMs: 1000,
      readSecret: (namespace, name) => Promise.resolve(secrets[`${namespace}/${name}`]),
      connectKafka: (brokers) => {
        opened.push(brokers.join(','));
        return { lag: () => Promise.resolve(brokers[0] === 'ours:9092' ? 1 : 2), close: () => Promise.resolve() };
      },
    });
    const on = (kafka: string, name: string): ReturnType<typeof platform> => {
      const spec = platform({ autoscaling: { metrics: { queueLag: { targetLagPerReplica: 100, components: ['kyc'] } } } }, name);
      return { ...spec, spec: { ...spec.spec, dependencies: { ...spec.spec.dependencies, kafka: { secretRef: { name: kafka } } } } };
    };
    engine.sync('kyc-test/acme', on('kyc-kafka', 'acme'), {});
    engine.sync('kyc-test/other', on('their-kafka', 'other'), {});
    engine.sync('kyc-test/broken', on('missing-kafka', 'broken'), {});
    await engine.pollOnce();
    expect(engine.readings('kyc-test/acme', 'kyc')[0]?.value).toBe(1);
    expect(engine.readings('kyc-test/other', 'kyc')[0]?.value).toBe(2);
    expect(engine.readings('kyc-test/broken', 'kyc')[0]?.state.lastError).toBe(
      'no Kafka brokers: Secret kyc-test/missing-kafka (spec.dependencies.kafka.secretRef) does not exist',
    );
    expect(opened).toEqual(['ours:9092', 'theirs:9092']);
    // Pointing a platform at another Secret rebuilds its source on the next sync.
    engine.sync('kyc-test/broken', on('kyc-kafka', 'broken'), {});
    await engine.pollOnce();
    expect(engine.readings('kyc-test/broken', 'kyc')[0]?.value).toBe(1);
    await engine.stop();
  });

  it('when the Kafka has PerComponent credentials, then the lag is read as the lag reader of its Secret', async () => {
    const opened: string[] = [];
    const engine = new ScalingEngine({
      logger: createLogger('error'),
      pollIntervalMs: 1000,
      readSecret: () =>
        Promise.resolve({
          brokers: 'kafka:9097',
          'lag-reader-username': 'kyc-lag-reader',
          'lag-reader-password': 'pw',
          'kyc-password': 'x',
        }),
      connectKafka: (brokers, ca, sasl) => {
        opened.push(`${brokers.join(',')} as ${sasl?.username ?? 'nobody'}`);
        return { lag: () => Promise.resolve(5), close: () => Promise.resolve() };
      },
    });
    const base = platform({ autoscaling: { metrics: { queueLag: { targetLagPerReplica: 100, components: ['kyc'] } } } });
    const p = {
      ...base,
      spec: {
        ...base.spec,
        dependencies: { ...base.spec.dependencies, kafka: { secretRef: { name: 'kyc-kafka' }, credentials: 'PerComponent' as const } },
      },
    };
    engine.sync('kyc-test/acme', p, {});
    await engine.pollOnce();
    expect(engine.readings('kyc-test/acme', 'kyc')[0]?.value).toBe(5);
    expect(opened).toEqual(['kafka:9097 as kyc-lag-reader']);
    await engine.stop();
  });
});

describe('ScalingEngine metric sources', () => {
  /** The real sources over a fake Kafka connection that counts its closes. */
  function kafka(): LagSource & { closes: number; reads: number; gate: Promise<void> | undefined } {
    const connection = {
      closes: 0,
      reads: 0,
      gate: undefined as Promise<void> | undefined,
      lag: async (): Promise<number> => {
        connection.reads += 1;
        await connection.gate;
        return 5;
      },
      close: (): Promise<void> => {
        connection.closes += 1;
        return Promise.resolve();
      },
    };
    return connection;
  }
  const lagOn = (target: number): ReturnType<typeof platform> =>
    platform({ autoscaling: { metrics: { queueLag: { targetLagPerReplica: target, components: ['kyc'] } } } });
  const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  it('when a platform is deleted, then its sources close and the Kafka connection with the last of them', async () => {
    const connection = kafka();
    const engine = new ScalingEngine({ logger: createLogger('error'), pollIntervalMs: 1000, readSecret, connectKafka: () => connection });
    engine.sync('kyc-test/acme', lagOn(100), {});
    engine.sync('kyc-test/other', lagOn(100), {});
    await engine.pollOnce();
    expect(connection.reads).toBe(2);
    engine.forget('kyc-test/acme');
    await settled();
    expect(connection.closes).toBe(0); // other still reads lag through it
    engine.forget('kyc-test/other');
    await settled();
    expect(connection.closes).toBe(1);
    await engine.stop();
  });

  it('when a metric changes or goes away, then its old source is closed, once a read in flight is over', async () => {
    const built: string[] = [];
    const closed: string[] = [];
    const counted = (name: string) => () => {
      built.push(name);
      return { read: () => Promise.resolve({ value: 1, active: true }), close: () => Promise.resolve(void closed.push(name)) };
    };
    let release = (): void => undefined;
    const slow = {
      read: () => new Promise<{ value: number; active: boolean }>((resolve) => (release = () => resolve({ value: 1, active: true }))),
      close: () => Promise.resolve(void closed.push('slow')),
    };
    const engine = new ScalingEngine({
      logger: createLogger('error'),
      pollIntervalMs: 1000,
      sources: {
        queueLag: (metric) => (metric.target === 100 ? slow : counted(`lag ${metric.target}`)()),
        requestRate: counted('rate'),
        latency: counted('latency'),
      },
    });
    engine.sync('kyc-test/acme', lagOn(100), {});
    const poll = engine.pollOnce();
    engine.sync('kyc-test/acme', lagOn(200), {});
    await settled();
    expect(closed).toEqual([]); // still being read
    release();
    await poll;
    await settled();
    expect(closed).toEqual(['slow']);
    expect(built).toEqual(['lag 200']);
    engine.sync('kyc-test/acme', platform({}), {});
    await settled();
    expect(closed).toEqual(['slow', 'lag 200']);
    engine.sync('kyc-test/acme', lagOn(300), {});
    await engine.stop();
    expect(closed).toEqual(['slow', 'lag 200', 'lag 300']);
  });

  it('when a source cannot be built, then every read fails with the reason', async () => {
    const engine = new ScalingEngine({ logger: createLogger('error'), pollIntervalMs: 1000, prometheusUrl: 'http://prom:9090' });
    const bad = platform({ autoscaling: { metrics: { requestRate: { targetPerReplica: 10, components: ['kyc'] } } } }, 'Bad');
    engine.sync('kyc-test/Bad', bad, {});
    await engine.pollOnce();
    expect(engine.readings('kyc-test/Bad', 'kyc')[0]?.state.lastError).toMatch(/^prometheus source: platform: /);
    await engine.stop();
  });
});
