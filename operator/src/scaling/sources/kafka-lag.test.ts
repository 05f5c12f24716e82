import { describe, expect, it } from '@jest/globals';
import type { KafkaBrokers } from './kafka-brokers.js';
import { KafkaLagSource, topicLag, type KafkaCredential, type LagReader, type LagTarget } from './kafka-lag.js';
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

/** Kafka connections that count what they open and close, over Secrets held in a map. */
function fakeKafka(lag: number | Error = 42) {
  const kafka = {
    secrets: new SharedResources<KafkaBrokers>(),
    /** namespace/name → the Secret's data; absent = no such Secret. */
    data: new Map<string, Record<string, string>>([['ns/kyc-kafka', { brokers: 'kafka-0:9092,kafka-1:9092' }]]),
    secretReads: 0,
    readSecret: (namespace: string, name: string): Promise<Record<string, string> | undefined> => {
      kafka.secretReads += 1;
      return Promise.resolve(kafka.data.get(`${namespace}/${name}`));
    },
    connections: new SharedResources<LagReader>((reader) => reader.close()),
    opened: [] as string[],
    closed: [] as string[],
    seen: [] as LagTarget[],
    lag,
    connect: (brokers: readonly string[], ca?: string, sasl?: KafkaCredential): LagReader => {
      const name = brokers.join(',') + (ca ? ` (TLS, CA ${ca})` : '') + (sasl ? ` (SASL as ${sasl.username})` : '');
      kafka.opened.push(name);
      return {
        lag: (target) => {
          kafka.seen.push(target);
          return kafka.lag instanceof Error ? Promise.reject(kafka.lag) : Promise.resolve(kafka.lag);
        },
        close: () => {
          kafka.closed.push(name);
          return Promise.resolve();
        },
      };
    },
  };
  return kafka;
}

const secret = { namespace: 'ns', name: 'kyc-kafka', key: 'brokers' };

describe('KafkaLagSource', () => {
  it('reads the lag of its group over its topics from the brokers in its Secret; a lag above zero is active', async () => {
    const kafka = fakeKafka();
    const source = new KafkaLagSource({ group: 'kyc-automatic-checks', topics: ['kyc.events'], secret }, kafka);
    expect(await source.read()).toEqual({ value: 42, active: true });
    expect(kafka.seen).toEqual([{ group: 'kyc-automatic-checks', topics: ['kyc.events'] }]);
    expect(kafka.opened).toEqual(['kafka-0:9092,kafka-1:9092']);
    expect(await new KafkaLagSource({ group: 'g', secret }, fakeKafka(0)).read()).toEqual({ value: 0, active: false });
  });

  it('when the Secret’s Kafka is declared tls: Required, then the connection trusts its ca.crt', async () => {
    const kafka = fakeKafka();
    kafka.data.set('ns/kyc-kafka', { brokers: 'kafka-0:9093', 'ca.crt': 'PEM' });
    await new KafkaLagSource({ group: 'g', secret: { ...secret, tls: true } }, kafka).read();
    expect(kafka.opened).toEqual(['kafka-0:9093 (TLS, CA PEM)']);
  });

  it('when the Secret’s Kafka has PerComponent credentials, then the connection reads as the lag reader; a new password opens another', async () => {
    const kafka = fakeKafka();
    const data = { brokers: 'kafka-0:9097', 'lag-reader-username': 'kyc-lag-reader', 'lag-reader-password': 'one' };
    kafka.data.set('ns/kyc-kafka', data);
    const source = new KafkaLagSource({ group: 'g', secret: { ...secret, credentials: true } }, kafka);
    await source.read();
    expect(kafka.opened).toEqual(['kafka-0:9097 (SASL as kyc-lag-reader)']);
    // The operator cannot watch the Secret: a failed read makes it read the Secret again.
    kafka.data.set('ns/kyc-kafka', { ...data, 'lag-reader-password': 'two' });
    kafka.lag = new Error('SASL authentication failed');
    await expect(source.read()).rejects.toThrow('SASL authentication failed');
    kafka.lag = 3;
    expect(await source.read()).toEqual({ value: 3, active: true });
    expect(kafka.opened).toEqual(['kafka-0:9097 (SASL as kyc-lag-reader)', 'kafka-0:9097 (SASL as kyc-lag-reader)']);
    expect(kafka.closed).toEqual(['kafka-0:9097 (SASL as kyc-lag-reader)']);
    await source.close();
  });

  it('when the config is bad, then construction fails naming the field and holds nothing', () => {
    const kafka = fakeKafka();
    expect(() => new KafkaLagSource({ group: '', secret }, kafka)).toThrow(/^kafka-lag source: group: /);
    expect(() => new KafkaLagSource({ group: 'g', topics: [], secret }, kafka)).toThrow(/^kafka-lag source: topics: /);
    expect(() => new KafkaLagSource({ group: 'g', secret: { ...secret, key: 'a b' } }, kafka)).toThrow(/^kafka-lag source: secret.key: /);
    expect(kafka.secrets.size).toBe(0);
    expect(kafka.connections.size).toBe(0);
    expect(kafka.secretReads).toBe(0);
  });

  it('when the Secret or its key is missing, then the read fails naming them and no connection is opened', async () => {
    const kafka = fakeKafka();
    await expect(new KafkaLagSource({ group: 'g', secret: { ...secret, name: 'gone' } }, kafka).read()).rejects.toThrow(
      'no Kafka brokers: Secret ns/gone (spec.dependencies.kafka.secretRef) does not exist',
    );
    await expect(new KafkaLagSource({ group: 'g', secret: { ...secret, key: 'bootstrap' } }, kafka).read()).rejects.toThrow(
      'no Kafka brokers: Secret ns/kyc-kafka (spec.dependencies.kafka.secretRef) has no key "bootstrap"',
    );
    expect(kafka.opened).toEqual([]);
  });

  it('when the value is not a broker list, then the read fails without showing it', async () => {
    const kafka = fakeKafka();
    kafka.data.set('ns/kyc-kafka', { brokers: 'kafka://admin:hunter2@kafka-0:9092' });
    const failure = new KafkaLagSource({ group: 'g', secret }, kafka).read();
    await expect(failure).rejects.toThrow(
      'no Kafka brokers: key "brokers" of Secret ns/kyc-kafka (spec.dependencies.kafka.secretRef) is not a host:port[,host:port...] list',
    );
    await expect(failure).rejects.not.toThrow(/hunter2/);
  });

  it('shares one connection per broker list and one Secret read between sources, and closes them with the last', async () => {
    const kafka = fakeKafka();
    kafka.data.set('other/their-kafka', { brokers: 'theirs:9092' });
    kafka.data.set('ns/same-kafka', { endpoints: 'kafka-1:9092, kafka-0:9092' });
    const a = new KafkaLagSource({ group: 'a', secret }, kafka);
    const b = new KafkaLagSource({ group: 'b', secret }, kafka);
    const same = new KafkaLagSource({ group: 'c', secret: { namespace: 'ns', name: 'same-kafka', key: 'endpoints' } }, kafka);
    const theirs = new KafkaLagSource({ group: 'd', secret: { namespace: 'other', name: 'their-kafka', key: 'brokers' } }, kafka);
    await Promise.all([a.read(), b.read(), same.read(), theirs.read()]);
    expect(kafka.secretReads).toBe(3);
    expect(kafka.opened).toEqual(['kafka-0:9092,kafka-1:9092', 'theirs:9092']);
    await a.close();
    await same.close();
    expect(kafka.closed).toEqual([]);
    await b.close();
    expect(kafka.closed).toEqual(['kafka-0:9092,kafka-1:9092']);
    await theirs.close();
    expect(kafka.closed).toEqual(['kafka-0:9092,kafka-1:9092', 'theirs:9092']);
    expect(kafka.connections.size).toBe(0);
    expect(kafka.secrets.size).toBe(0);
  });

  it('when a lag read fails, then the Secret is read again and a moved broker list gets its own connection', async () => {
    const kafka = fakeKafka(new Error('connection refused'));
    const source = new KafkaLagSource({ group: 'g', secret }, kafka);
    await expect(source.read()).rejects.toThrow('connection refused');
    kafka.data.set('ns/kyc-kafka', { brokers: 'kafka-new:9092' });
    kafka.lag = 7;
    expect(await source.read()).toEqual({ value: 7, active: true });
    expect(kafka.opened).toEqual(['kafka-0:9092,kafka-1:9092', 'kafka-new:9092']);
    expect(kafka.closed).toEqual(['kafka-0:9092,kafka-1:9092']);
    await source.close();
    expect(kafka.closed).toEqual(['kafka-0:9092,kafka-1:9092', 'kafka-new:9092']);
  });
});
