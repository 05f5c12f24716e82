import { describe, expect, it } from '@jest/globals';
import { KafkaBrokers, parseBrokers } from './kafka-brokers.js';

const secret = { namespace: 'ns', name: 'kyc-kafka', key: 'brokers' };

/** A Secret that counts its reads, with a clock the test moves. */
function world(brokers: string | undefined) {
  const w = {
    value: brokers,
    reads: 0,
    fail: undefined as Error | undefined,
    time: 0,
    readSecret: (): Promise<Record<string, string> | undefined> => {
      w.reads += 1;
      if (w.fail) return Promise.reject(w.fail);
      const data: Record<string, string> = w.value === undefined ? {} : { brokers: w.value };
      return Promise.resolve(data);
    },
  };
  return w;
}

describe('parseBrokers', () => {
  it('takes host:port entries, trimmed, and refuses anything else', () => {
    expect(parseBrokers(' a:9092, b.example:19094 ,')).toEqual(['a:9092', 'b.example:19094']);
    expect(parseBrokers('')).toBeUndefined();
    expect(parseBrokers('a')).toBeUndefined();
    expect(parseBrokers('user:secret@a:9092')).toBeUndefined();
    expect(parseBrokers('kafka://a:9092')).toBeUndefined();
  });
});

describe('KafkaBrokers', () => {
  it('reads the Secret once, then again when the list is older than the refresh period', async () => {
    const w = world('a:9092');
    const brokers = new KafkaBrokers(secret, w.readSecret, { refreshMs: 60_000, now: () => w.time });
    expect(await Promise.all([brokers.brokers(), brokers.brokers()])).toEqual([['a:9092'], ['a:9092']]);
    expect(w.reads).toBe(1);
    w.value = 'b:9092';
    w.time = 59_999;
    expect(await brokers.brokers()).toEqual(['a:9092']);
    w.time = 60_000;
    expect(await brokers.brokers()).toEqual(['b:9092']);
    expect(w.reads).toBe(2);
  });

  it('when invalidated, then the next call reads the Secret again', async () => {
    const w = world('a:9092');
    const brokers = new KafkaBrokers(secret, w.readSecret, { now: () => w.time });
    await brokers.brokers();
    brokers.invalidate();
    w.value = 'b:9092';
    expect(await brokers.brokers()).toEqual(['b:9092']);
  });

  it('when the Secret cannot be read, then it fails naming the Secret and tries again at the next call', async () => {
    const w = world('a:9092');
    w.fail = new Error('secrets "kyc-kafka" is forbidden');
    const brokers = new KafkaBrokers(secret, w.readSecret, { now: () => w.time });
    await expect(brokers.brokers()).rejects.toThrow('reading Secret ns/kyc-kafka for the Kafka brokers');
    w.fail = undefined;
    expect(await brokers.brokers()).toEqual(['a:9092']);
  });

  it('when the key is missing, then it fails naming the Secret and the key', async () => {
    const brokers = new KafkaBrokers(secret, world(undefined).readSecret);
    await expect(brokers.brokers()).rejects.toThrow('Secret ns/kyc-kafka (spec.dependencies.kafka.secretRef) has no key "brokers"');
  });
});

describe('KafkaBrokers of a Kafka declared tls: Required', () => {
  const tlsSecret = { ...secret, tls: true };
  const read = (data: Record<string, string>) => () => Promise.resolve(data);

  it('gives the CA bundle of ca.crt with the brokers, for a verified TLS connection', async () => {
    const brokers = new KafkaBrokers(tlsSecret, read({ brokers: 'a:9093', 'ca.crt': 'PEM' }));
    expect(await brokers.endpoint()).toEqual({ brokers: ['a:9093'], ca: 'PEM' });
  });

  it('when the Secret has no ca.crt, then the read fails naming the Secret and the key (never plaintext instead)', async () => {
    const brokers = new KafkaBrokers(tlsSecret, read({ brokers: 'a:9093' }));
    await expect(brokers.endpoint()).rejects.toThrow('no Kafka CA: Secret ns/kyc-kafka has no key "ca.crt"');
  });

  it('without tls, ca.crt is not used even when present', async () => {
    const brokers = new KafkaBrokers(secret, read({ brokers: 'a:9092', 'ca.crt': 'PEM' }));
    expect(await brokers.endpoint()).toEqual({ brokers: ['a:9092'] });
  });
});

describe('KafkaBrokers of a Kafka with PerComponent credentials', () => {
  const perComponent = { ...secret, credentials: true };
  const read = (data: Record<string, string>) => () => Promise.resolve(data);

  it("gives the lag reader's own user and password with the brokers", async () => {
    const brokers = new KafkaBrokers(
      perComponent,
      read({ brokers: 'a:9097', 'lag-reader-username': 'kyc-lag-reader', 'lag-reader-password': 'pw', 'kyc-password': 'other' }),
    );
    expect(await brokers.endpoint()).toEqual({ brokers: ['a:9097'], sasl: { username: 'kyc-lag-reader', password: 'pw' } });
  });

  it('when a key is missing, then the read fails naming the Secret and the key, never falling back to no SASL', async () => {
    const brokers = new KafkaBrokers(perComponent, read({ brokers: 'a:9097', 'lag-reader-username': 'kyc-lag-reader' }));
    await expect(brokers.endpoint()).rejects.toThrow(
      'no Kafka credential for the lag reader: Secret ns/kyc-kafka has no key "lag-reader-password", which spec.dependencies.kafka.credentials PerComponent needs',
    );
  });

  it('without credentials, the keys are not used even when present', async () => {
    const brokers = new KafkaBrokers(secret, read({ brokers: 'a:9092', 'lag-reader-username': 'u', 'lag-reader-password': 'p' }));
    expect(await brokers.endpoint()).toEqual({ brokers: ['a:9092'] });
  });
});
