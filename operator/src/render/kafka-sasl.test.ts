import { describe, expect, it } from '@jest/globals';
import { COMPONENTS } from '../api/components.js';
import { platform } from '../api/fixtures.js';
import type { KycPlatform } from '../api/types.js';
import { renderDeployment } from './deployment.js';
import { kafkaSaslEnv } from './kafka-sasl.js';

const withKafka = (credentials?: 'Shared' | 'PerComponent'): KycPlatform =>
  platform({
    dependencies: {
      postgres: { secretRef: { name: 'kyc-postgres' } },
      redis: { secretRef: { name: 'kyc-redis' } },
      kafka: { secretRef: { name: 'kyc-kafka' }, tls: 'Required', ...(credentials && { credentials }) },
    },
  });

type Env = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } }[];
const envOf = (p: KycPlatform, component: (typeof COMPONENTS)[number]): Env =>
  (renderDeployment(p, component) as unknown as { spec: { template: { spec: { containers: { env: Env }[] } } } }).spec.template.spec
    .containers[0]!.env;

describe('kafkaSaslEnv', () => {
  it("when credentials is PerComponent, then each Kafka reader gets its own user and password from the Kafka Secret's keys", () => {
    const spec = withKafka('PerComponent').spec;
    for (const component of ['kyc', 'notification', 'analytics'] as const)
      expect(kafkaSaslEnv(spec, component)).toEqual([
        { name: 'KAFKA_SASL_USERNAME', valueFrom: { secretKeyRef: { name: 'kyc-kafka', key: `${component}-username` } } },
        { name: 'KAFKA_SASL_PASSWORD', valueFrom: { secretKeyRef: { name: 'kyc-kafka', key: `${component}-password` } } },
      ]);
  });

  it('when credentials is PerComponent, then gateway and auth get no Kafka credential (nor the brokers)', () => {
    const p = withKafka('PerComponent');
    for (const component of ['gateway', 'auth'] as const) {
      expect(kafkaSaslEnv(p.spec, component)).toEqual([]);
      expect(envOf(p, component).filter((e) => e.name.startsWith('KAFKA_'))).toEqual([]);
    }
  });

  it('when credentials is Shared or absent, then nobody gets a Kafka credential', () => {
    for (const p of [withKafka('Shared'), withKafka()])
      for (const component of COMPONENTS) expect(envOf(p, component).filter((e) => e.name.startsWith('KAFKA_SASL'))).toEqual([]);
  });

  it("in the pod, the broker list stays the Secret's shared key and the container reads no other component's keys", () => {
    const env = envOf(withKafka('PerComponent'), 'notification');
    const kafkaKeys = env
      .filter((e) => e.valueFrom?.secretKeyRef?.name === 'kyc-kafka')
      .map((e) => [e.name, e.valueFrom!.secretKeyRef!.key]);
    expect(kafkaKeys).toEqual([
      ['KAFKA_BROKERS', 'brokers'],
      ['KAFKA_SASL_USERNAME', 'notification-username'],
      ['KAFKA_SASL_PASSWORD', 'notification-password'],
    ]);
  });
});
