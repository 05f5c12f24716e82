// Development secrets in production (docs/security.md, 8), against the real API server with the operator
// in this process: a production platform whose Secret holds the public sample values is refused —
// Ready=False and SecretsVerified=False with reason InsecureSecrets, a Warning Event naming the keys, and
// not one Deployment created; a development platform with the same Secret runs. Once the Secret holds
// random keys the platform rolls out; switching back to sample values later changes no Deployment, not
// even for a new version.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { PlatformResource } from '../../../operator/src/reconcile/platform.js';
import { EVENT } from '../../../operator/src/runtime/events.js';
import type { KubeResource } from '../../../operator/src/runtime/kube.js';
import { eventually } from '../../support/env.js';
import { DEPLOYMENT, developmentPlatform, getPlatform, PLATFORM, SECRET, withTestOperator } from './support.js';

type Deployment = KubeResource & { spec: { template: { spec: { containers: { image: string }[] } } } };
type Event = KubeResource & { type: string; reason: string; message: string; involvedObject: { name: string } };

const suite = withTestOperator('op-secrets');
const { client } = suite;
const SECRET_NAME = 'bank-platform';

/** The development sample's platform Secret values, copied under SECRET_NAME (what a careless install does). */
async function writeSecret(stringData: Record<string, string>): Promise<void> {
  await client.delete(SECRET, suite.namespace, SECRET_NAME).catch(() => undefined);
  await eventually('the old Secret to be gone', async () => (await client.get(SECRET, suite.namespace, SECRET_NAME)) === undefined);
  await client.create(SECRET, suite.namespace, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: SECRET_NAME, namespace: suite.namespace },
    type: 'Opaque',
    stringData,
  });
}

async function sampleValues(): Promise<Record<string, string>> {
  const sample = await client.get<KubeResource & { data: Record<string, string> }>(SECRET, suite.namespace, 'kyc-dev-platform');
  if (!sample) throw new Error('the development Secret is missing');
  return Object.fromEntries(Object.entries(sample.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

function randomValues(): Record<string, string> {
  const { privateKey } = generateKeyPairSync('ed25519');
  return {
    'token-signing-keys': `s1:${privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64')}`,
    'pii-keys': `k1:${randomBytes(32).toString('base64')}`,
    'admin-email': 'admin@bank.example',
    'admin-password': randomBytes(18).toString('base64url'),
  };
}

function productionPlatform(name: string, version = '0.1.0'): PlatformResource {
  const base = developmentPlatform(suite.namespace, name, version);
  // Production without HPAs: three replicas per component on the KWOK nodes.
  return { ...base, spec: { ...base.spec, profile: 'production', autoscaling: { enabled: false }, secretsRef: { name: SECRET_NAME } } };
}

async function deployments(instance: string): Promise<Deployment[]> {
  return (await client.list<Deployment>(DEPLOYMENT, suite.namespace, { labelSelector: `app.kubernetes.io/instance=${instance}` })).items;
}

function condition(platform: PlatformResource | undefined, type: string): { status: string; reason: string; message: string } | undefined {
  return platform?.status?.conditions?.find((c) => c.type === type);
}

async function refusal(name: string): Promise<PlatformResource> {
  return eventually(`${name} to be refused with InsecureSecrets`, async () => {
    const p = await getPlatform(client, suite.namespace, name);
    return condition(p, 'SecretsVerified')?.status === 'False' &&
      condition(p, 'Ready')?.reason === 'InsecureSecrets' &&
      p?.status?.observedGeneration === p?.metadata.generation
      ? p
      : undefined;
  });
}

describe('a production platform with development secrets', () => {
  it('when its Secret holds the sample values, then it is refused with a condition and a Warning Event, and no Deployment is created', async () => {
    const sample = await sampleValues();
    await writeSecret(sample);
    await client.create(PLATFORM, suite.namespace, productionPlatform('bank'));
    const refused = await refusal('bank');
    expect(refused.status?.phase).toBe('Failed');
    expect(condition(refused, 'Ready')).toMatchObject({ status: 'False', reason: 'InsecureSecrets' });
    expect(condition(refused, 'Degraded')).toMatchObject({ status: 'True', reason: 'InsecureSecrets' });
    const message = condition(refused, 'SecretsVerified')?.message ?? '';
    for (const key of ['pii-keys', 'token-signing-keys', 'admin-password']) expect(message).toContain(key);
    const event = await eventually('the InsecureSecrets Event', async () => {
      const events = await client.list<Event>(EVENT, suite.namespace);
      return events.items.find((e) => e.involvedObject.name === 'bank' && e.reason === 'InsecureSecrets');
    });
    expect(event.type).toBe('Warning');
    expect(event.message).toContain('Secret bank-platform');
    // The message names the keys and what to fix, never a value.
    for (const value of Object.values(sample)) if (value.length >= 8) expect(event.message).not.toContain(value);
    // Several passes later (the operator looks again every 2 s) still nothing was rolled.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(await deployments('bank')).toEqual([]);
  }, 60_000);

  it('when a development platform uses the same sample values, then it is allowed and rolls out', async () => {
    await client.create(PLATFORM, suite.namespace, developmentPlatform(suite.namespace, 'dev', '0.1.0'));
    await eventually('the development Deployments', async () => (await deployments('dev')).length === 6);
    const dev = await getPlatform(client, suite.namespace, 'dev');
    expect(condition(dev, 'SecretsVerified')).toBeUndefined();
  }, 60_000);

  it('when the Secret is fixed, then the platform is accepted and rolls out', async () => {
    await writeSecret(randomValues());
    const accepted = await eventually(
      'SecretsVerified=True',
      async () => {
        const p = await getPlatform(client, suite.namespace, 'bank');
        return condition(p, 'SecretsVerified')?.status === 'True' ? p : undefined;
      },
      30_000,
    );
    expect(condition(accepted, 'SecretsVerified')?.reason).toBe('SecretsAccepted');
    const created = await eventually('the six production Deployments', async () => {
      const list = await deployments('bank');
      return list.length === 6 ? list : undefined;
    });
    for (const d of created) expect(d.spec.template.spec.containers[0]?.image).toBe('kyc-operator/workloads:0.1.0');
  }, 60_000);

  it('when the Secret is made insecure again and a new version is set, then it is refused and no Deployment changes', async () => {
    // generation, not resourceVersion: the controller-manager keeps writing the Deployments' status.
    const before = new Map((await deployments('bank')).map((d) => [d.metadata.name, d.metadata.generation]));
    const weak = { ...randomValues(), 'admin-password': 'short' };
    await writeSecret(weak);
    await client.mergePatch(PLATFORM, suite.namespace, 'bank', { spec: { version: '0.2.0' } });
    const refused = await refusal('bank');
    expect(condition(refused, 'SecretsVerified')?.message).toContain('admin-password is shorter than 12 characters');
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const after = await deployments('bank');
    expect(after).toHaveLength(6);
    for (const d of after) {
      expect(d.spec.template.spec.containers[0]?.image).toBe('kyc-operator/workloads:0.1.0');
      expect(d.metadata.generation).toBe(before.get(d.metadata.name));
    }
  }, 60_000);
});
