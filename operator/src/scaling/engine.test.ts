import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import { createLogger } from '../runtime/logger.js';
import { MetricUnavailableError } from '../api/metrics.js';
import { ScalingEngine, type LagSource } from './engine.js';

const selector = { 'kyc.dev/platform': 'acme', 'kyc.dev/component': 'kyc' };

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
  const p = platform({ autoscaling: { metrics: { queueLag: { targetLagPerReplica: 100, components: ['kyc'] } }, fallback: { failureThreshold: 2, replicas: 4 } } });

  it('serves the last reading, falls back after the threshold and reports transitions', async () => {
    const lag = fakeLag();
    const transitions: string[] = [];
    const engine = new ScalingEngine({ logger: createLogger('error'), pollIntervalMs: 1000, lagSource: lag, onTransition: (_k, c, m, t) => transitions.push(`${c}/${m}/${t}`) });
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

  it('holds each component at its own fallback, else at the platform\'s', async () => {
    const lag = fakeLag();
    lag.next = new Error('broker down');
    const engine = new ScalingEngine({ logger: createLogger('error'), pollIntervalMs: 1000, lagSource: lag });
    const notification = { ...selector, 'kyc.dev/component': 'notification' };
    const spec = { metrics: { queueLag: { targetLagPerReplica: 100 } }, fallback: { failureThreshold: 2, replicas: 4 } };
    engine.sync('kyc-test/acme', platform({ autoscaling: spec, components: { kyc: { autoscaling: { fallback: { failureThreshold: 1, replicas: 7 } } } } }), { kyc: 2, notification: 2 });
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

  it('reads lag as a failure when no brokers are configured', async () => {
    const engine = new ScalingEngine({ logger: createLogger('error'), pollIntervalMs: 1000 });
    engine.sync('kyc-test/acme', p, {});
    await engine.pollOnce();
    expect(engine.readings('kyc-test/acme', 'kyc')[0]?.state.lastError).toMatch(/no Kafka brokers configured/);
    engine.forget('kyc-test/acme');
    expect(engine.metricNames()).toEqual([]);
  });
});
