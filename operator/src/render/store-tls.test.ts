import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import type { KycPlatform } from '../api/types.js';
import { renderBackupCronJob } from './backup.js';
import { renderDeployment } from './deployment.js';
import { plaintextDependencyRefusal, storeTlsEnv } from './store-tls.js';

const dependencies = (tls: { postgres?: 'Required' | 'Disabled'; redis?: 'Required' | 'Disabled'; kafka?: 'Required' | 'Disabled' }) => ({
  postgres: { secretRef: { name: 'kyc-postgres' }, tls: tls.postgres },
  redis: { secretRef: { name: 'kyc-redis' }, tls: tls.redis },
  kafka: { secretRef: { name: 'kyc-kafka' }, tls: tls.kafka },
});

interface PodSpec {
  initContainers?: { env: { name: string; value?: string }[]; volumeMounts: object[] }[];
  containers: { env: { name: string; value?: string }[]; volumeMounts: object[] }[];
  volumes: { name: string }[];
}
const podOf = (p: KycPlatform, component: 'gateway' | 'kyc'): PodSpec =>
  (renderDeployment(p, component) as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;

describe('storeTlsEnv', () => {
  it('when a store is declared Required, then each component that reads it gets <X>_TLS=required and the mounted CA file', () => {
    const spec = platform({ dependencies: dependencies({ postgres: 'Required', kafka: 'Required' }) }).spec;
    expect(storeTlsEnv(spec, 'kyc')).toEqual([
      { name: 'DATABASE_TLS', value: 'required' },
      { name: 'DATABASE_CA_FILE', value: '/var/run/kyc/stores/postgres/ca.crt' },
      { name: 'KAFKA_TLS', value: 'required' },
      { name: 'KAFKA_CA_FILE', value: '/var/run/kyc/stores/kafka/ca.crt' },
    ]);
    // The gateway reads neither PostgreSQL nor Kafka.
    expect(storeTlsEnv(spec, 'gateway')).toEqual([]);
  });

  it('when no store declares tls, or declares Disabled, then nothing is added', () => {
    expect(storeTlsEnv(platform().spec, 'kyc')).toEqual([]);
    expect(storeTlsEnv(platform({ dependencies: dependencies({ redis: 'Disabled' }) }).spec, 'kyc')).toEqual([]);
  });
});

describe('the pod of a component under tls: Required', () => {
  it('mounts ca.crt of the dependency Secret read-only (not optional) and points the variable at it', () => {
    const pod = podOf(platform({ dependencies: dependencies({ redis: 'Required' }) }), 'gateway');
    expect(pod.volumes).toContainEqual({
      name: 'store-ca-redis',
      secret: { secretName: 'kyc-redis', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 },
    });
    expect(pod.containers[0]!.volumeMounts).toContainEqual({
      name: 'store-ca-redis',
      mountPath: '/var/run/kyc/stores/redis',
      readOnly: true,
    });
    expect(pod.containers[0]!.env).toContainEqual({ name: 'REDIS_CA_FILE', value: '/var/run/kyc/stores/redis/ca.crt' });
  });

  it('under PerComponent credentials, the migration step connects with the same TLS settings', () => {
    const deps = dependencies({ postgres: 'Required' });
    const pod = podOf(platform({ dependencies: { ...deps, postgres: { ...deps.postgres, credentials: 'PerComponent' } } }), 'kyc');
    const migrate = pod.initContainers![0]!;
    expect(migrate.env).toEqual(expect.arrayContaining([{ name: 'DATABASE_TLS', value: 'required' }]));
    expect(migrate.volumeMounts).toContainEqual({ name: 'store-ca-postgres', mountPath: '/var/run/kyc/stores/postgres', readOnly: true });
  });

  it('without tls, the pod is as before: no store CA volume', () => {
    expect(podOf(platform(), 'kyc').volumes.map((v) => v.name)).not.toContain('store-ca-postgres');
  });
});

describe('plaintextDependencyRefusal', () => {
  it('when a production platform declares a store Disabled, then it is refused, naming the field and what to set', () => {
    const message = plaintextDependencyRefusal(platform({ dependencies: dependencies({ postgres: 'Required', redis: 'Disabled' }) }).spec);
    expect(message).toMatch(/spec\.dependencies\.redis\.tls is Disabled/);
    expect(message).toMatch(/set it to Required/);
    expect(message).toMatch(/ca\.crt/);
    expect(message).not.toMatch(/postgres/);
  });

  it('when the profile is development or staging, or no store is Disabled, then nothing is refused', () => {
    const disabled = dependencies({ postgres: 'Disabled', redis: 'Disabled', kafka: 'Disabled' });
    expect(plaintextDependencyRefusal(platform({ profile: 'development', dependencies: disabled }).spec)).toBeUndefined();
    expect(plaintextDependencyRefusal(platform({ profile: 'staging', dependencies: disabled }).spec)).toBeUndefined();
    expect(plaintextDependencyRefusal(platform().spec)).toBeUndefined();
  });
});

describe('the backup Job under postgres tls: Required', () => {
  it('connects with DATABASE_TLS=required and the mounted CA of the PostgreSQL Secret', () => {
    const p = platform({
      dependencies: dependencies({ postgres: 'Required', redis: 'Required' }),
      backup: { schedule: '0 3 * * *', bucket: 'b', encryptionKeySecretRef: { name: 'backup-key' } },
    });
    const cronJob = renderBackupCronJob(p) as unknown as {
      spec: { jobTemplate: { spec: { template: { spec: PodSpec } } } };
    };
    const pod = cronJob.spec.jobTemplate.spec.template.spec;
    expect(pod.containers[0]!.env).toEqual(
      expect.arrayContaining([
        { name: 'DATABASE_TLS', value: 'required' },
        { name: 'DATABASE_CA_FILE', value: '/var/run/kyc/stores/postgres/ca.crt' },
      ]),
    );
    // Only PostgreSQL: the backup reads no other store.
    expect(pod.volumes.map((v) => v.name)).toEqual(['work', 'store-ca-postgres']);
  });
});
