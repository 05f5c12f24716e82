// TLS to the stores, declared in the KycPlatform (docs/security.md, "Data in transit to the stores"), against
// the real API server with the operator in this process: a production platform that declares a store plaintext
// (tls: Disabled) is refused — Ready=False with reason PlaintextDependency naming the field and what to set, a
// Warning Event, and no Deployment; once the store is declared Required the platform rolls out, and the pods
// that read it get <X>_TLS=required and the Secret's ca.crt mounted. (No platform Secret: the production check
// of its keys is another suite's, secrets.test.ts.)
import { describe, expect, it } from '@jest/globals';
import type { PlatformResource } from '../../../operator/src/reconcile/platform.js';
import { EVENT } from '../../../operator/src/runtime/events.js';
import type { KubeResource } from '../../../operator/src/runtime/kube.js';
import { eventually } from '../../support/env.js';
import { DEPLOYMENT, developmentPlatform, getPlatform, PLATFORM, withTestOperator } from './support.js';

interface Container {
  name: string;
  env?: { name: string; value?: string }[];
  volumeMounts?: { name: string; mountPath: string }[];
}
type Deployment = KubeResource & {
  spec: { template: { spec: { containers: Container[]; volumes?: { name: string; secret?: { secretName: string } }[] } } };
};
type Event = KubeResource & { type: string; reason: string; message: string; involvedObject: { name: string } };

const suite = withTestOperator('op-store-tls');
const { client } = suite;

function productionPlatform(name: string, redisTls: 'Required' | 'Disabled'): PlatformResource {
  const base = developmentPlatform(suite.namespace, name);
  const { secretsRef: _unused, ...spec } = base.spec;
  const redis = spec.dependencies!.redis!;
  return {
    ...base,
    spec: {
      ...spec,
      profile: 'production',
      autoscaling: { enabled: false },
      dependencies: { ...spec.dependencies, redis: { ...redis, tls: redisTls } },
    },
  };
}

async function deployments(instance: string): Promise<Deployment[]> {
  return (await client.list<Deployment>(DEPLOYMENT, suite.namespace, { labelSelector: `app.kubernetes.io/instance=${instance}` })).items;
}

describe('a production platform and TLS to its stores', () => {
  it('when it declares Redis tls: Disabled, then it is refused with PlaintextDependency, a Warning Event, and no Deployment', async () => {
    await client.create(PLATFORM, suite.namespace, productionPlatform('bank', 'Disabled'));
    const refused = await eventually('Ready=False with reason PlaintextDependency', async () => {
      const p = await getPlatform(client, suite.namespace, 'bank');
      const ready = p?.status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.reason === 'PlaintextDependency' ? ready : undefined;
    });
    expect(refused.status).toBe('False');
    expect(refused.message).toContain('spec.dependencies.redis.tls is Disabled');
    expect(refused.message).toContain('set it to Required');
    const event = await eventually('the PlaintextDependency Event', async () => {
      const events = await client.list<Event>(EVENT, suite.namespace);
      return events.items.find((e) => e.involvedObject.name === 'bank' && e.reason === 'PlaintextDependency');
    });
    expect(event.type).toBe('Warning');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await deployments('bank')).toEqual([]);
  }, 60_000);

  it('when Redis is declared Required, then it rolls out and every pod that reads Redis trusts the Redis Secret’s ca.crt', async () => {
    await client.mergePatch(PLATFORM, suite.namespace, 'bank', { spec: { dependencies: { redis: { tls: 'Required' } } } });
    const created = await eventually('the six Deployments', async () => {
      const list = await deployments('bank');
      return list.length === 6 ? list : undefined;
    });
    const redisSecret = productionPlatform('bank', 'Required').spec.dependencies!.redis!.secretRef.name;
    for (const d of created) {
      const pod = d.spec.template.spec;
      // The frontend reads no store: nothing of Redis reaches it.
      if (d.metadata.name === 'bank-frontend') {
        expect(pod.containers[0]!.env?.map((e) => e.name)).not.toContain('REDIS_TLS');
        expect(pod.volumes).not.toContainEqual(expect.objectContaining({ name: 'store-ca-redis' }));
        continue;
      }
      expect(pod.containers[0]!.env).toContainEqual({ name: 'REDIS_TLS', value: 'required' });
      expect(pod.containers[0]!.env).toContainEqual({ name: 'REDIS_CA_FILE', value: '/var/run/kyc/stores/redis/ca.crt' });
      expect(pod.volumes).toContainEqual(
        expect.objectContaining({ name: 'store-ca-redis', secret: expect.objectContaining({ secretName: redisSecret }) }),
      );
      // PostgreSQL and Kafka declare nothing: as before.
      expect(pod.containers[0]!.env?.map((e) => e.name)).not.toContain('DATABASE_TLS');
    }
  }, 60_000);
});
