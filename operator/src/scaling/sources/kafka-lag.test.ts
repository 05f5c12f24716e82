import { describe, expect, it } from '@jest/globals';
import { KafkaLagSource, topicLag, type LagReader, type LagTarget } from './kafka-lag.js';
import { SharedResources } from './shared.js';

describe('topicLag', () => {
  it('sums end offset minus committed offset over the partitions', () => {
    expect(
      topicLag(
        [
          { partition: 0, high: '120', low: '0' },
          { partition: 1, high: '50', low: '0' },
        ],
        [
          { partition: 0, offset: '100' },
          { partition: 1, offset: '50' },
        ],
      ),
    ).toBe(20n);
  });

  it('counts a partition without a committed offset from its earliest offset', () => {
    expect(
      topicLag(
        [
          { partition: 0, high: '1000', low: '200' },
          { partition: 1, high: '10', low: '0' },
        ],
        [{ partition: 0, offset: '-1' }],
      ),
    ).toBe(800n + 10n);
  });

  it('counts from the earliest offset when the committed one was deleted by retention', () => {
    expect(topicLag([{ partition: 0, high: '500', low: '400' }], [{ partition: 0, offset: '10' }])).toBe(100n);
  });

  it('is never negative and handles offsets beyond 2^53', () => {
    expect(topicLag([{ partition: 0, high: '5', low: '0' }], [{ partition: 0, offset: '7' }])).toBe(0n);
    expect(topicLag([{ partition: 0, high: '9007199254740999', low: '0' }], [{ partition: 0, offset: '9007199254740990' }])).toBe(9n);
  });

  it('is zero for an empty topic', () => {
    expect(topicLag([{ partition: 0, high: '0', low: '0' }], [])).toBe(0n);
  });
});

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
