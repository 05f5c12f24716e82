import { describe, expect, it } from '@jest/globals';
import type { LagTarget } from '../kafka-lag.js';
import { KafkaLagSource, type LagReader } from './kafka-lag.js';
import { SharedResources } from './shared.js';

/** Kafka connections that count what they open and close. */
function fakeKafka(lag = 42): { connections: SharedResources<LagReader>; connect: () => LagReader; opened: number; closed: number; seen: LagTarget[] } {
  const kafka = {
    connections: new SharedResources<LagReader>((reader) => reader.close()),
    opened: 0,
    closed: 0,
    seen: [] as LagTarget[],
    connect: (): LagReader => {
      kafka.opened += 1;
      return {
        lag: (target) => {
          kafka.seen.push(target);
          return Promise.resolve(lag);
        },
        close: () => {
          kafka.closed += 1;
          return Promise.resolve();
        },
      };
    },
  };
  return kafka;
}

describe('KafkaLagSource', () => {
  it('reads the lag of its group over its topics; a lag above zero is active', async () => {
    const kafka = fakeKafka();
    const source = new KafkaLagSource({ group: 'kyc-automatic-checks', topics: ['kyc.events'] }, kafka);
    expect(await source.read()).toEqual({ value: 42, active: true });
    expect(kafka.seen).toEqual([{ group: 'kyc-automatic-checks', topics: ['kyc.events'] }]);
    expect(await new KafkaLagSource({ group: 'g' }, fakeKafka(0)).read()).toEqual({ value: 0, active: false });
  });

  it('when the config is bad, then construction fails naming the field and holds no connection', () => {
    const kafka = fakeKafka();
    expect(() => new KafkaLagSource({ group: '' }, kafka)).toThrow(/^kafka-lag source: group: /);
    expect(() => new KafkaLagSource({ group: 'g', topics: [] }, kafka)).toThrow(/^kafka-lag source: topics: /);
    expect(kafka.connections.size).toBe(0);
    expect(kafka.opened).toBe(0);
  });

  it('shares one connection between sources and closes it with the last of them', async () => {
    const kafka = fakeKafka();
    const a = new KafkaLagSource({ group: 'a' }, kafka);
    const b = new KafkaLagSource({ group: 'b' }, kafka);
    expect(kafka.opened).toBe(1);
    await a.close();
    expect(kafka.closed).toBe(0);
    await b.close();
    expect(kafka.closed).toBe(1);
    expect(kafka.connections.size).toBe(0);
  });
});
