// Living beside KEDA and prometheus-adapter (docs/autoscaling.md), against the local API server:
// - the APIService v1beta1.external.metrics.k8s.io held by another server: the operator leaves it as it
//   is, and a builtin platform with custom metrics gets ScalingDegraded ExternalMetricsOwnedElsewhere and
//   an Event. If the cluster has one (make up's operator), it is only read; if not, the suite registers a
//   stand-in "other server" (a Service of another name in front of this suite's operator, so that the
//   aggregator's discovery keeps working) and removes it afterwards.
// - provider keda: ScaledObjects and no HPAs. KEDA itself is not run (building it is out of scope): a
//   minimal copy of its ScaledObject CRD (fixtures/keda-scaledobject-crd.yaml) is installed and left in
//   place for other runs; nothing acts on the ScaledObjects.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as yaml from 'js-yaml';
import { startManager } from '../../../operator/src/manager.js';
import { APISERVICE, APISERVICE_NAME } from '../../../operator/src/metrics-api/registration.js';
import { SCALED_OBJECT_TYPE } from '../../../operator/src/reconcile/keda.js';
import type { PlatformResource } from '../../../operator/src/reconcile/platform.js';
import { EVENT } from '../../../operator/src/runtime/events.js';
import type { KubeClient, KubeResource, ResourceType } from '../../../operator/src/runtime/kube.js';
import { eventually } from '../../support/env.js';
import { ENDPOINTS, hostAddress } from '../scaling/support.js';
import {
  developmentPlatform,
  getPlatform,
  OWNED_TYPES,
  PLATFORM,
  SERVICE,
  testOperatorConfig,
  testOperatorLogger,
  withTestOperator,
} from './support.js';

const CRD: ResourceType = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  namespaced: false,
};
const HPA = OWNED_TYPES.find((t) => t.kind === 'HorizontalPodAutoscaler') as ResourceType;
const OTHER_SERVICE = 'other-metrics-server';
type ApiService = KubeResource & { spec?: { service?: { namespace?: string; name?: string } } };

/** A free TCP port for the operator's external metrics API (the stand-in's Endpoints name it before the operator starts). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let owner = '';
let standIn = false;

/** The real APIService when there is one (read only), else a stand-in owned by "another server". */
async function arrangeOtherOwner(client: KubeClient, namespace: string, port: number): Promise<void> {
  const live = await client.get<ApiService>(APISERVICE, '', APISERVICE_NAME);
  if (live?.spec?.service?.name) {
    owner = `${live.spec.service.namespace ?? ''}/${live.spec.service.name}`;
    return;
  }
  await client.create(SERVICE, namespace, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: OTHER_SERVICE, namespace },
    spec: { ports: [{ name: 'https', port: 443, targetPort: port, protocol: 'TCP' }] },
  });
  await client.create(ENDPOINTS, namespace, {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: OTHER_SERVICE, namespace },
    subsets: [{ addresses: [{ ip: hostAddress() }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  });
  await client.create(APISERVICE, '', {
    apiVersion: APISERVICE.apiVersion,
    kind: APISERVICE.kind,
    metadata: { name: APISERVICE_NAME, labels: { 'kyc.dev/test': 'keda-stand-in' } },
    spec: {
      group: 'external.metrics.k8s.io',
      version: 'v1beta1',
      service: { namespace, name: OTHER_SERVICE, port: 443 },
      insecureSkipTLSVerify: true,
      groupPriorityMinimum: 100,
      versionPriority: 100,
    },
  });
  standIn = true;
  owner = `${namespace}/${OTHER_SERVICE}`;
}

/** Removes the stand-in, only if it is still the suite's (make up may have installed the real one meanwhile). */
async function removeStandIn(client: KubeClient): Promise<void> {
  if (!standIn) return;
  const live = await client.get<ApiService>(APISERVICE, '', APISERVICE_NAME);
  if (live?.metadata.labels?.['kyc.dev/test'] === 'keda-stand-in') await client.delete(APISERVICE, '', APISERVICE_NAME, live.metadata.uid);
}

const suite = withTestOperator('op-keda', {
  start: async (namespace) => {
    const client = suite.client;
    const port = await freePort();
    await arrangeOtherOwner(client, namespace, port);
    // The operator's own Service is another one: it must see the APIService as someone else's.
    return startManager(
      testOperatorConfig(
        { namespace },
        {
          EXTERNAL_METRICS_SERVICE: `${namespace}/kyc-operator-external-metrics`,
          EXTERNAL_METRICS_PORT: String(port),
          EXTERNAL_METRICS_HOST: '0.0.0.0',
        },
      ),
      { logger: testOperatorLogger() },
    );
  },
  beforeStop: async () => removeStandIn(suite.client),
});

beforeAll(async () => {
  const [crd] = yaml.loadAll(readFileSync(new URL('./fixtures/keda-scaledobject-crd.yaml', import.meta.url), 'utf8')) as KubeResource[];
  if (!crd) throw new Error('the ScaledObject CRD fixture is empty');
  await suite.client.apply(CRD, crd, 'kyc-operator-tests');
  await eventually(
    'ScaledObjects to be served',
    async () =>
      (await suite.client.list(SCALED_OBJECT_TYPE, 'default').then(
        () => true,
        () => false,
      )) || undefined,
  );
}, 60_000);

afterAll(async () => {
  await removeStandIn(suite.client).catch(() => undefined);
});

/** The development sample, autoscaled (1-3 replicas), with a Kafka-lag metric and a business-hours window. */
function autoscaledPlatform(name: string, provider: 'builtin' | 'keda'): PlatformResource {
  const platform = developmentPlatform(suite.namespace, name);
  return {
    ...platform,
    spec: {
      ...platform.spec,
      autoscaling: {
        enabled: true,
        minReplicas: 1,
        maxReplicas: 3,
        provider,
        metrics: { queueLag: { targetLagPerReplica: 100 } },
        schedules: [
          {
            name: 'business-hours',
            timezone: 'Asia/Kolkata',
            days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'],
            start: '09:00',
            end: '18:00',
            minReplicas: 2,
          },
        ],
      },
    },
  };
}

async function eventsOf(platform: string, reason: string): Promise<string[]> {
  const { items } = await suite.client.list<KubeResource & { reason?: string; message?: string; involvedObject?: { name?: string } }>(
    EVENT,
    suite.namespace,
  );
  return items.filter((e) => e.reason === reason && e.involvedObject?.name === platform).map((e) => e.message ?? '');
}

describe('beside another external metrics server', () => {
  it('when another Service holds the APIService, then the operator leaves it and the builtin platform says who holds it', async () => {
    await suite.client.create(PLATFORM, suite.namespace, autoscaledPlatform('builtin', 'builtin'));
    const condition = await eventually('ScalingDegraded ExternalMetricsOwnedElsewhere', async () => {
      const c = (await getPlatform(suite.client, suite.namespace, 'builtin'))?.status?.conditions?.find(
        (x) => x.type === 'ScalingDegraded',
      );
      return c?.reason === 'ExternalMetricsOwnedElsewhere' ? c : undefined;
    });
    expect(condition.status).toBe('True');
    expect(condition.message).toContain(`served by ${owner}`);
    const events = await eventually('the ExternalMetricsOwnedElsewhere Event', async () => {
      const found = await eventsOf('builtin', 'ExternalMetricsOwnedElsewhere');
      return found.length > 0 ? found : undefined;
    });
    expect(events[0]).toContain(owner);
    const live = await suite.client.get<ApiService>(APISERVICE, '', APISERVICE_NAME);
    expect(`${live?.spec?.service?.namespace ?? ''}/${live?.spec?.service?.name ?? ''}`).toBe(owner);
  });

  it('with provider keda, then each autoscaled component gets a ScaledObject with its triggers and no HPA, and nothing is degraded by the owner', async () => {
    await suite.client.create(PLATFORM, suite.namespace, autoscaledPlatform('viakeda', 'keda'));
    const scaledObjects = await eventually('six ScaledObjects', async () => {
      const { items } = await suite.client.list<KubeResource & { spec: { triggers: { type: string }[]; minReplicaCount: number } }>(
        SCALED_OBJECT_TYPE,
        suite.namespace,
        { labelSelector: 'app.kubernetes.io/instance=viakeda' },
      );
      return items.length === 6 ? items : undefined;
    });
    const kyc = scaledObjects.find((o) => o.metadata.name === 'viakeda-kyc');
    expect(kyc?.spec.triggers.map((t) => t.type)).toEqual(['cpu', 'memory', 'kafka', 'cron']);
    expect(kyc?.spec.minReplicaCount).toBe(1);
    expect((await suite.client.list(HPA, suite.namespace, { labelSelector: 'app.kubernetes.io/instance=viakeda' })).items).toEqual([]);
    const condition = await eventually('a ScalingDegraded condition', async () =>
      (await getPlatform(suite.client, suite.namespace, 'viakeda'))?.status?.conditions?.find((x) => x.type === 'ScalingDegraded'),
    );
    expect(condition.reason).not.toBe('ExternalMetricsOwnedElsewhere');
    expect(condition.reason).not.toBe('KedaNotInstalled');
  });

  it('when provider goes back to builtin, then the ScaledObjects are deleted and HPAs come back', async () => {
    await suite.client.mergePatch(PLATFORM, suite.namespace, 'viakeda', { spec: { autoscaling: { provider: 'builtin' } } });
    await eventually('the ScaledObjects to go and the HPAs to come', async () => {
      const selector = { labelSelector: 'app.kubernetes.io/instance=viakeda' };
      const [so, hpas] = await Promise.all([
        suite.client.list(SCALED_OBJECT_TYPE, suite.namespace, selector),
        suite.client.list(HPA, suite.namespace, selector),
      ]);
      return so.items.length === 0 && hpas.items.length === 6;
    });
  });
});
