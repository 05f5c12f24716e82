// The gateway balances over the kyc pods, not over a ClusterIP (docs/workloads.md, "Load balancing"):
// the platform is set to three kyc replicas, least connections and sticky sessions; fresh clients
// are placed on every pod, and a client with the affinity cookie stays on its pod whichever gateway
// pod answers. Which pod served is read from the cookie the gateway sets: it carries the instance id,
// a hash of the pod's address (workloads/gateway/balancer.ts), which the test computes from the pods'
// IPs. The spec is put back afterwards.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { instanceId } from '../../workloads/gateway/balancer.js';
import {
  CONSENT,
  NAMESPACE,
  PLATFORM,
  activeColor,
  apps,
  core,
  customerToken,
  eventually,
  gatewayDeploymentName,
  gatewayUrl,
  getPlatform,
  liveSettings,
  patchPlatformSpec,
  podReady,
  request,
  waitIdle,
  waitReady,
} from './support.js';

const KYC_REPLICAS = 3;

interface LoadBalancingSpec {
  strategy?: string;
  stickySessions?: boolean;
}

/**
 * The ready kyc pods that serve (the active colour's), by instance id. The id hashes the instance URL,
 * `http://` or `https://` as the gateway calls it (TLS between the components, docs/security.md): both
 * ids name the pod, so the map holds two entries per pod (count pods with podNames).
 */
async function kycPods(): Promise<Map<string, string>> {
  const color = await activeColor();
  const selector = `app.kubernetes.io/instance=${PLATFORM},app.kubernetes.io/component=kyc${color ? `,kyc.dev/color=${color}` : ''}`;
  const pods = await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: selector });
  const byId = new Map<string, string>();
  for (const pod of pods.items) {
    if (podReady(pod) && !pod.metadata?.deletionTimestamp && pod.status?.podIP)
      for (const scheme of ['http', 'https']) byId.set(instanceId(`${scheme}://${pod.status.podIP}:8080`), pod.metadata?.name ?? '?');
  }
  return byId;
}

/** The distinct pods of a kycPods map. */
function podNames(byId: Map<string, string>): string[] {
  return [...new Set(byId.values())].sort();
}

/** Whether a Deployment has rolled out all of its replicas (none old, all ready). */
async function rolledOut(name: string): Promise<boolean> {
  const d = await apps.readNamespacedDeployment({ namespace: NAMESPACE, name });
  const want = d.spec?.replicas;
  return (
    d.status?.observedGeneration === d.metadata?.generation &&
    d.status?.updatedReplicas === want &&
    d.status?.readyReplicas === want &&
    d.status?.replicas === want
  );
}

/** The kyc instance id the gateway pinned this answer to, from its Set-Cookie (none: the pinned pod served). */
function pinnedKyc(res: Response): string | undefined {
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('kyc_affinity='));
  return /(?:^kyc_affinity=|~)kyc\.([A-Za-z0-9_-]+)/.exec(cookie?.split(';')[0] ?? '')?.[1];
}

describe('load balancing over the kyc pods', () => {
  let base = '';
  let token = '';
  /** The customer's own application: GET answers 200 from whichever kyc pod is chosen. */
  let applicationId = '';
  let original: { loadBalancing?: LoadBalancingSpec; kycReplicas?: number } = {};
  const api = (path: string): string => `${base}/api/v1${path}`;
  const list = (cookie?: string, who = { token: '', applicationId: '' }): Promise<Response> =>
    fetch(api(`/applications/${who.applicationId || applicationId}`), {
      headers: { authorization: `Bearer ${who.token || token}`, ...(cookie && { cookie }) },
      signal: AbortSignal.timeout(15_000),
    });

  beforeAll(async () => {
    const platform = (await getPlatform()) as Awaited<ReturnType<typeof getPlatform>> & {
      spec: { loadBalancing?: LoadBalancingSpec; components?: { kyc?: { replicas?: number } } };
    };
    await waitReady(platform.spec.version);
    await waitIdle(platform.spec.version);
    original = {
      ...(platform.spec.loadBalancing && { loadBalancing: platform.spec.loadBalancing }),
      ...(platform.spec.components?.kyc?.replicas !== undefined && { kycReplicas: platform.spec.components.kyc.replicas }),
    };
    const gateway = await gatewayDeploymentName();
    // The template, not the generation: an HPA may change the gateway's replicas meanwhile.
    const template = (await apps.readNamespacedDeployment({ namespace: NAMESPACE, name: gateway })).spec?.template;
    await patchPlatformSpec({
      loadBalancing: { strategy: 'least-connections', stickySessions: true },
      components: { kyc: { replicas: KYC_REPLICAS } },
    });
    // The load balancing is a live setting: it reaches the ConfigMap's live-settings.json and the running
    // gateway pods, whose Deployment does not change (docs/workloads.md, "Load balancing"); kyc scales out.
    const color = await activeColor();
    const kyc = color ? `${PLATFORM}-kyc-${color}` : `${PLATFORM}-kyc`;
    await eventually(
      `the live settings with least-connections and ${KYC_REPLICAS} kyc pods ready`,
      async () => {
        const live = (await liveSettings()) as { loadBalancing?: LoadBalancingSpec };
        const ready = live.loadBalancing?.strategy === 'least-connections' && (await rolledOut(kyc));
        return ready && podNames(await kycPods()).length === KYC_REPLICAS ? true : undefined;
      },
      600_000,
      2000,
    );
    expect((await apps.readNamespacedDeployment({ namespace: NAMESPACE, name: gateway })).spec?.template).toEqual(template);
    base = await gatewayUrl();
    token = await customerToken(api, 'lb');
    const created = await request<{ id: string }>(api('/applications'), { body: CONSENT, token, idempotent: true });
    expect(created.status).toBe(201);
    applicationId = created.body.id;
  }, 900_000);

  afterAll(async () => {
    // Merge patch: null removes a field the platform did not have.
    await patchPlatformSpec({
      loadBalancing: original.loadBalancing ?? null,
      components: { kyc: { replicas: original.kycReplicas ?? null } },
    });
    await waitReady((await getPlatform()).spec.version);
  }, 600_000);

  it('least connections: fresh clients, sent concurrently, land on every kyc pod', async () => {
    let pods = new Map<string, string>();
    // First, a few requests at a time until answers carry the cookie: the kubelet may take a minute to
    // refresh the gateway pods' mounted live settings, and every request of this wait counts against the
    // client's rate limit (600 a minute per address, which the suites share), so it must stay cheap.
    await eventually(
      'the gateway pods following the new live settings',
      async () => {
        const answers = await Promise.all(Array.from({ length: 4 }, () => list()));
        return answers.every((res) => res.status === 200 && pinnedKyc(res)) ? true : undefined;
      },
      120_000,
      2000,
    );
    // Each gateway pod resolves the headless Service every 2 s, behind the cluster DNS cache (ttl 5
    // in hack/node/Corefile, up to 30 s on a node started before): wait until the pods in use are
    // exactly the ready kyc pods of now (a pod an earlier suite replaced may still be in a gateway's
    // list for a moment), then count.
    await eventually(
      'fresh clients placed on all kyc pods',
      async () => {
        pods = await kycPods();
        const seen = new Set<string>();
        for (let i = 0; i < 2; i += 1) {
          const answers = await Promise.all(Array.from({ length: 12 }, () => list()));
          for (const res of answers) {
            const id = pinnedKyc(res);
            // An answer without the cookie came from a gateway pod that has not read the new live settings
            // yet (the kubelet refreshes the mounted file within seconds of the operator's mark): not converged yet.
            if (!id) return undefined;
            seen.add(id);
          }
        }
        return seen.size === KYC_REPLICAS && [...seen].every((id) => pods.has(id)) ? true : undefined;
      },
      90_000,
      2000,
    );
    const counts = new Map<string, number>();
    for (let round = 0; round < 10; round += 1) {
      const answers = await Promise.all(Array.from({ length: 12 }, () => list()));
      for (const res of answers) {
        expect(res.status).toBe(200);
        const id = pinnedKyc(res);
        expect(id).toBeDefined();
        const pod = pods.get(id ?? '') ?? `unknown ${id}`;
        counts.set(pod, (counts.get(pod) ?? 0) + 1);
      }
    }
    // The figure the docs quote: how 120 fresh clients spread over the pods.
    console.log(`least-connections, 120 fresh clients in rounds of 12: ${JSON.stringify(Object.fromEntries(counts))}`);
    expect([...counts.keys()].sort()).toEqual(podNames(pods));
    for (const n of counts.values()) expect(n).toBeGreaterThanOrEqual(120 / KYC_REPLICAS / 3);
  }, 180_000);

  it('sticky sessions: a client with the cookie stays on its kyc pod, through either gateway pod', async () => {
    const pods = await kycPods();
    const first = await list();
    expect(first.status).toBe(200);
    const id = pinnedKyc(first);
    expect(pods.has(id ?? '')).toBe(true);
    const cookie = first.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    let moved = 0;
    // Concurrent rounds open several connections, which the NodePort spreads over both gateway pods.
    for (let round = 0; round < 5; round += 1) {
      const answers = await Promise.all(Array.from({ length: 8 }, () => list(cookie)));
      for (const res of answers) {
        expect(res.status).toBe(200);
        if (pinnedKyc(res) !== undefined) moved += 1;
      }
    }
    console.log(`sticky: 40 requests with the cookie of ${pods.get(id ?? '')}, ${moved} placed elsewhere`);
    expect(moved).toBe(0);
  }, 120_000);

  it('a scale-out reaches the gateways within the DNS TTL, and a scale-in under traffic loses no request', async () => {
    const before = new Set(podNames(await kycPods()));
    await patchPlatformSpec({ components: { kyc: { replicas: KYC_REPLICAS + 1 } } });
    const started = Date.now();
    let pods = new Map<string, string>();
    const added = await eventually(
      'a fourth kyc pod ready',
      async () => {
        pods = await kycPods();
        return podNames(pods).find((name) => !before.has(name));
      },
      180_000,
      500,
    );
    const ready = Date.now();
    await eventually(
      'a fresh client placed on the new pod',
      async () =>
        (await Promise.all(Array.from({ length: 12 }, () => list()))).some((res) => pods.get(pinnedKyc(res) ?? '') === added)
          ? true
          : undefined,
      90_000,
      500,
    );
    const routed = Date.now();
    console.log(
      `scale-out: the new kyc pod ready after ${((ready - started) / 1000).toFixed(1)} s, its first request ${((routed - ready) / 1000).toFixed(1)} s later`,
    );

    // Scale-in under traffic: eight clients keep calling (each answer from any pod) until the pod is
    // gone from the gateways' answers and a little more; one call a second each, under the gateway's
    // per-user limit (600 a minute) for a customer of their own (the probes above spent the first one's).
    const trafficToken = await customerToken(api, 'lb-traffic');
    const own = await request<{ id: string }>(api('/applications'), { body: CONSENT, token: trafficToken, idempotent: true });
    expect(own.status).toBe(201);
    const traffic = { token: trafficToken, applicationId: own.body.id };
    const statuses = new Map<number | string, number>();
    let running = true;
    const clients = Array.from({ length: 8 }, async () => {
      while (running) {
        const status = await list(undefined, traffic)
          .then((res) => res.status)
          .catch((error: unknown) => (error as Error).name);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    });
    await patchPlatformSpec({ components: { kyc: { replicas: KYC_REPLICAS } } });
    const scaledIn = Date.now();
    await eventually(
      'back to three kyc pods',
      async () => (podNames(await kycPods()).length === KYC_REPLICAS ? true : undefined),
      180_000,
      500,
    );
    // The DNS answer may still name the pod for its TTL (30 s on a node started before ttl 5).
    await new Promise((resolve) => setTimeout(resolve, 35_000));
    running = false;
    await Promise.all(clients);
    console.log(
      `scale-in under traffic for ${((Date.now() - scaledIn) / 1000).toFixed(0)} s: ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect([...statuses.keys()]).toEqual([200]);
  }, 600_000);
});
