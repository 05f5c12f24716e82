// Handing spec.replicas to the HPA and back, against the real API server and controller-manager: a
// component at a fixed 4 replicas is switched to autoscaled and back, while a watch records every
// version of its Deployment. Server-side apply alone would drop the field and default it to 1 replica.
import { describe, expect, it } from '@jest/globals';
import { HANDOVER_FIELD_MANAGER, appliesReplicas } from '../../../operator/src/reconcile/replicas.js';
import { FIELD_MANAGER } from '../../../operator/src/runtime/apply.js';
import type { KubeResource } from '../../../operator/src/runtime/kube.js';
import { eventually } from '../../support/env.js';
import { OWNED_TYPES, DEPLOYMENT, developmentPlatform, PLATFORM, waitReady, withTestOperator } from './support.js';

type Deployment = KubeResource & { spec: { replicas?: number }; status?: { readyReplicas?: number } };
const HPA = OWNED_TYPES.find((t) => t.kind === 'HorizontalPodAutoscaler');

const name = 'handover';
const deploymentName = `${name}-gateway`;
/** Every spec.replicas the watch saw for the gateway Deployment, in order. */
const seen: number[] = [];
const watching = new AbortController();
let watchDone: Promise<void> | undefined;

const suite = withTestOperator('op-replicas', {
  beforeStop: async () => {
    watching.abort();
    await watchDone?.catch(() => undefined);
  },
});
const { client } = suite;

async function gateway(): Promise<Deployment | undefined> {
  return client.get<Deployment>(DEPLOYMENT, suite.namespace, deploymentName);
}

/** Records spec.replicas of every version of the gateway Deployment from `resourceVersion` on. */
function watchReplicas(resourceVersion: string): void {
  const loop = async (): Promise<void> => {
    let version = resourceVersion;
    while (!watching.signal.aborted) {
      await client
        .watch(
          DEPLOYMENT,
          suite.namespace,
          { resourceVersion: version, timeoutSeconds: 60 },
          (event) => {
            if (event.object.metadata.resourceVersion) version = event.object.metadata.resourceVersion;
            if (event.object.metadata.name !== deploymentName || event.type === 'BOOKMARK') return;
            const replicas = (event.object as Deployment).spec.replicas;
            if (typeof replicas === 'number') seen.push(replicas);
          },
          watching.signal,
        )
        .catch(() => undefined);
    }
  };
  watchDone = loop();
}

function seenSince(mark: number): number[] {
  return seen.slice(mark);
}

describe('spec.replicas between a fixed count and the HPA', () => {
  it('given a gateway at a fixed 4 replicas, when autoscaling is switched on, then the count never drops and the HPA owns it', async () => {
    const platform = developmentPlatform(suite.namespace, name);
    await client.create(PLATFORM, suite.namespace, { ...platform, spec: { ...platform.spec, components: { gateway: { replicas: 4 } } } });
    await waitReady(client, suite.namespace, name, '0.1.0', 120_000);
    const fixed = await gateway();
    expect(fixed?.spec.replicas).toBe(4);
    if (!fixed?.metadata.resourceVersion) throw new Error('no gateway Deployment');
    expect(appliesReplicas(fixed, FIELD_MANAGER)).toBe(true);
    watchReplicas(fixed.metadata.resourceVersion);
    const mark = seen.length;

    await client.mergePatch(PLATFORM, suite.namespace, name, {
      spec: { components: { gateway: { replicas: null, autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 6 } } } },
    });
    const handedOver = await eventually(
      'the operator to give up spec.replicas of the gateway',
      async () => {
        const live = await gateway();
        const hpa = HPA ? await client.get(HPA, suite.namespace, deploymentName) : undefined;
        return live && hpa && !appliesReplicas(live, FIELD_MANAGER) ? live : undefined;
      },
      60_000,
    );
    expect(handedOver.spec.replicas).toBe(4);
    expect(appliesReplicas(handedOver, HANDOVER_FIELD_MANAGER)).toBe(true);
    // Leave the controller-manager's HPA loop (15 s period) a full round to act on the new HPA.
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    await waitReady(client, suite.namespace, name, '0.1.0', 60_000);
    expect(seenSince(mark).length).toBeGreaterThan(0);
    expect(Math.min(...seenSince(mark))).toBeGreaterThanOrEqual(4);
    expect((await gateway())?.spec.replicas).toBe(4);

    // The HPA now sets the count: raise its minimum and it scales the Deployment, the operator does not fight it.
    await client.mergePatch(PLATFORM, suite.namespace, name, { spec: { components: { gateway: { autoscaling: { minReplicas: 5 } } } } });
    await eventually('the HPA to scale the gateway to its new minimum of 5', async () => (await gateway())?.spec.replicas === 5, 90_000);
    suite.operator.resync();
    await suite.operator.idle();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await gateway())?.spec.replicas).toBe(5);
    expect(Math.min(...seenSince(mark))).toBeGreaterThanOrEqual(4);
  }, 240_000);

  it('when autoscaling is switched off again with a fixed 4, then the operator owns the count again and the HPA is gone', async () => {
    const mark = seen.length;
    await client.mergePatch(PLATFORM, suite.namespace, name, {
      spec: { components: { gateway: { replicas: 4, autoscaling: { enabled: false } } } },
    });
    const back = await eventually(
      'the gateway back at a fixed 4 owned by the operator',
      async () => {
        const live = await gateway();
        return live?.spec.replicas === 4 && appliesReplicas(live, FIELD_MANAGER) ? live : undefined;
      },
      60_000,
    );
    expect(back.spec.replicas).toBe(4);
    if (HPA)
      await eventually(
        'the gateway HPA to be deleted',
        async () => (await client.get(HPA, suite.namespace, deploymentName)) === undefined,
        30_000,
      );
    await waitReady(client, suite.namespace, name, '0.1.0', 60_000);
    // 5 (the HPA's) to the requested 4, and never lower.
    expect(Math.min(...seenSince(mark))).toBeGreaterThanOrEqual(4);
    expect((await gateway())?.spec.replicas).toBe(4);
  }, 180_000);
});
