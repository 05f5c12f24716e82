import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import type { KycPlatform } from '../api/types.js';
import { renderColorDeployment, renderDeployment } from './deployment.js';

interface Container {
  name: string;
  image: string;
  args: string[];
  env: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  resources: unknown;
  securityContext: unknown;
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
}
const pod = (deployment: unknown): PodSpec => (deployment as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
const envMap = (c: Container | undefined) => Object.fromEntries((c?.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));

/** A platform whose PostgreSQL and Redis Secrets carry a URL per component (docs/security.md, "Per-service credentials"). */
const perComponent = (): KycPlatform =>
  platform({
    dependencies: {
      postgres: { secretRef: { name: 'kyc-postgres' }, credentials: 'PerComponent' },
      redis: { secretRef: { name: 'kyc-redis' }, credentials: 'PerComponent' },
      kafka: { secretRef: { name: 'kyc-kafka' } },
    },
  });

describe('the migration step under PerComponent credentials', () => {
  it('when credentials are Shared (absent), then there is no init container and every component reads the one key and migrates itself', () => {
    const kyc = pod(renderDeployment(platform(), 'kyc'));
    expect(kyc.initContainers).toBeUndefined();
    expect(envMap(kyc.containers[0]).DATABASE_URL).toEqual({ secretKeyRef: { name: 'kyc-postgres', key: 'url' } });
    expect(envMap(kyc.containers[0])).not.toHaveProperty('DATABASE_MIGRATIONS');
  });

  it('when PostgreSQL credentials are PerComponent, then kyc reads kyc-url and only checks its schema, and an init container migrates as migrate-url', () => {
    const kyc = pod(renderDeployment(perComponent(), 'kyc'));
    const main = kyc.containers[0];
    expect(envMap(main).DATABASE_URL).toEqual({ secretKeyRef: { name: 'kyc-postgres', key: 'kyc-url' } });
    expect(envMap(main).DATABASE_MIGRATIONS).toBe('external');
    expect(kyc.initContainers).toHaveLength(1);
    const migrate = kyc.initContainers?.[0];
    expect(migrate).toMatchObject({ name: 'migrate', image: main?.image, args: ['migrate', 'kyc'] });
    expect(migrate?.resources).toEqual(main?.resources);
    expect(migrate?.securityContext).toEqual(main?.securityContext);
    expect(envMap(migrate)).toMatchObject({
      DATABASE_URL: { secretKeyRef: { name: 'kyc-postgres', key: 'migrate-url' } },
      DATABASE_APP_URL: { secretKeyRef: { name: 'kyc-postgres', key: 'kyc-url' } },
      KYC_COMPONENT: 'kyc',
    });
    // The migration step gets nothing else of the service: no PII keys, no Redis, no Kafka.
    expect(Object.keys(envMap(migrate)).sort()).toEqual(
      ['DATABASE_APP_URL', 'DATABASE_URL', 'KYC_COMPONENT', 'KYC_PLATFORM', 'KYC_VERSION', 'LOG_LEVEL', 'NODE_OPTIONS'].sort(),
    );
  });

  it('never gives the owner credential to a component container, in either colour', () => {
    for (const component of ['gateway', 'kyc', 'auth', 'notification', 'analytics'] as const) {
      for (const deployment of [
        renderDeployment(perComponent(), component),
        renderColorDeployment(perComponent(), component, { color: 'green', version: '1.5.0' }),
      ]) {
        const keys = pod(deployment).containers.flatMap((c) => c.env.map((e) => e.valueFrom?.secretKeyRef?.key));
        expect(keys).not.toContain('migrate-url');
      }
    }
  });

  it('when a component has no database (the gateway), then it has no migration step; its Redis URL is its own', () => {
    const gateway = pod(renderDeployment(perComponent(), 'gateway'));
    expect(gateway.initContainers).toBeUndefined();
    expect(envMap(gateway.containers[0]).REDIS_URL).toEqual({ secretKeyRef: { name: 'kyc-redis', key: 'gateway-url' } });
    expect(envMap(gateway.containers[0])).not.toHaveProperty('DATABASE_MIGRATIONS');
  });

  it('when only Redis credentials are PerComponent, then PostgreSQL stays on the one key and migrates in the service', () => {
    const auth = pod(
      renderDeployment(
        platform({
          dependencies: {
            postgres: { secretRef: { name: 'kyc-postgres' } },
            redis: { secretRef: { name: 'kyc-redis' }, credentials: 'PerComponent' },
            kafka: { secretRef: { name: 'kyc-kafka' } },
          },
        }),
        'auth',
      ),
    );
    expect(auth.initContainers).toBeUndefined();
    expect(envMap(auth.containers[0])).toMatchObject({
      DATABASE_URL: { secretKeyRef: { name: 'kyc-postgres', key: 'url' } },
      REDIS_URL: { secretKeyRef: { name: 'kyc-redis', key: 'auth-url' } },
    });
  });
});
