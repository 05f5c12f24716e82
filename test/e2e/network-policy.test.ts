// The platform's NetworkPolicies are enforced on the real node (kube-network-policies, docs/real-node.md),
// against the platform `make up` runs:
// - a pod in the platform's namespace without the platform's labels cannot open a connection to kyc (its
//   pod on 8080 and 9090, its Service), while the same pod reaches the gateway, which admits anyone;
// - a process inside a running kyc pod (`kubectl exec`) reaches what kyc's egress policy allows (auth
//   through its Service name, so DNS too; PostgreSQL on the node) and nothing else: not the gateway,
//   not the API server's address on the node, which the unlabelled pod reaches;
// - the frontend (the web app's static files) admits the gateway only, and reaches nothing but DNS: it
//   resolves auth's name and still cannot connect to it, nor to PostgreSQL or the gateway;
// - the platform still works through the gateway: the admin makes a maker, who reads kyc's review queue
//   (gateway → auth and kyc, kyc → auth's keys and PostgreSQL). The journey and rollout suites prove the rest.
// Every connection goes to an address on this machine (the pod network and the node's bridge address);
// a refused one is tried 3 times, 3 s each, an allowed one until it connects (20 tries at most).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import {
  NAMESPACE,
  PLATFORM,
  adminAccount,
  core,
  eventually,
  gatewayUrl,
  getPlatform,
  kc,
  login,
  podReady,
  request,
  uniqueSuffix,
  waitReady,
} from './support.js';
import type { Account } from './support.js';

/** The real node's bridge address (hack/node/common.sh): CoreDNS, the API server's and the deps' forwarders. */
const NODE_IP = '10.244.128.1';
const API_SERVER_PORT = 16443;
const POSTGRES_PORT = 15432;

interface Probe {
  name: string;
  host: string;
  port: number;
  expect: 'open' | 'closed';
  /** Resolve `host` through the cluster DNS first (on every try). */
  lookup?: boolean;
}
type Outcomes = Record<string, string[]>;

// The prober, run by `node -e` in a pod or through exec: argv[1] is the JSON list of probes; the outcome
// of every try (`connected`, `timeout`, an error code) goes to stdout and, in a pod of its own, to the
// termination message (the API server reads it from the pod's status).
const PROBER = String.raw`
const net = require('net'), dns = require('dns').promises, fs = require('fs');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const connect = (host, port) => new Promise((resolve) => {
  const s = net.connect({ host, port });
  const t = setTimeout(() => { s.destroy(); resolve('timeout'); }, 3000);
  s.on('connect', () => { clearTimeout(t); s.destroy(); resolve('connected'); });
  s.on('error', (e) => { clearTimeout(t); resolve(e.code || e.message); });
});
const probe = async (p) => {
  const outcomes = [];
  for (let i = 0; i < (p.expect === 'open' ? 20 : 3); i++) {
    let host = p.host;
    if (p.lookup) {
      try { host = (await dns.lookup(p.host)).address; } catch (e) { outcomes.push('dns ' + (e.code || e.message)); await sleep(1000); continue; }
    }
    const outcome = await connect(host, p.port);
    outcomes.push(outcome);
    if (p.expect === 'open') { if (outcome === 'connected') break; await sleep(1000); }
  }
  return [p.name, outcomes];
};
Promise.all(JSON.parse(process.argv[1]).map(probe)).then((results) => {
  const out = JSON.stringify(Object.fromEntries(results));
  if (process.argv[2] === 'pod') fs.writeFileSync('/dev/termination-log', out);
  process.stdout.write(out);
});
`;

/** Runs the prober in a container of a running pod (`kubectl exec`) and returns its outcomes. */
async function probeByExec(pod: string, container: string, probes: Probe[]): Promise<Outcomes> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        append(chunk.toString('utf8'));
        done();
      },
    });
  const status = await new Promise<k8s.V1Status>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`exec in ${pod} did not finish in 120 s`)), 120_000);
    new k8s.Exec(kc)
      .exec(
        NAMESPACE,
        pod,
        container,
        ['node', '-e', PROBER, JSON.stringify(probes)],
        sink((s) => (stdout += s)),
        sink((s) => (stderr += s)),
        null,
        false,
        (s) => {
          clearTimeout(timer);
          resolve(s);
        },
      )
      .catch((error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      });
  });
  if (status.status !== 'Success') throw new Error(`exec in ${pod} failed: ${status.message ?? ''} ${stderr}`);
  return JSON.parse(stdout) as Outcomes;
}

/** The outcomes of a refused destination: no try connected, each one timed out or was refused. */
function expectClosed(outcomes: string[] | undefined): void {
  expect(outcomes).toHaveLength(3);
  for (const outcome of outcomes ?? []) expect(['timeout', 'ECONNREFUSED']).toContain(outcome);
}

function expectOpen(outcomes: string[] | undefined): void {
  expect(outcomes?.at(-1)).toBe('connected');
}

describe('NetworkPolicies enforced on the real node', () => {
  const run = uniqueSuffix();
  const prober = `netpol-probe-${run}`;
  let base = '';
  const api = (path: string): string => `${base}/api/v1${path}`;
  let kycPod: k8s.V1Pod;
  let kycIp = '';
  let gatewayIp = '';
  let frontendPod: k8s.V1Pod;
  let image = '';

  async function readyPod(component: string): Promise<k8s.V1Pod> {
    return eventually(`a ready ${component} pod`, async () => {
      const pods = await core.listNamespacedPod({
        namespace: NAMESPACE,
        labelSelector: `app.kubernetes.io/instance=${PLATFORM},app.kubernetes.io/component=${component}`,
      });
      return pods.items.find((p) => podReady(p) && p.status?.podIP && !p.metadata?.deletionTimestamp);
    });
  }

  beforeAll(async () => {
    const platform = await getPlatform();
    await waitReady(platform.spec.version);
    base = await gatewayUrl();
    kycPod = await readyPod('kyc');
    kycIp = kycPod.status?.podIP as string;
    gatewayIp = (await readyPod('gateway')).status?.podIP as string;
    frontendPod = await readyPod('frontend');
    image = kycPod.spec?.containers[0]?.image as string;
  }, 720_000);

  afterAll(async () => {
    await core.deleteNamespacedPod({ namespace: NAMESPACE, name: prober, gracePeriodSeconds: 0 }).catch(() => undefined);
  });

  it('renders the policies it enforces: kyc admits its callers only and limits its own egress', async () => {
    const networking = kc.makeApiClient(k8s.NetworkingV1Api);
    const kyc = await networking.readNamespacedNetworkPolicy({ namespace: NAMESPACE, name: `${PLATFORM}-kyc` });
    expect(kyc.spec?.policyTypes).toEqual(expect.arrayContaining(['Ingress', 'Egress']));
    expect(kyc.spec?.ingress?.every((rule) => (rule._from?.length ?? 0) > 0)).toBe(true);
    // Every egress rule names its destinations (a rule without `to` would admit any address).
    expect(kyc.spec?.egress?.every((rule) => ((rule.to ?? []) as unknown[]).length > 0)).toBe(true);
    expect(kycPod.spec?.nodeName).toBe('kyc-real-node');
  });

  it('refuses kyc to a pod without the platform labels, which still reaches the gateway and the node', async () => {
    const kycService = await core.readNamespacedService({ namespace: NAMESPACE, name: `${PLATFORM}-kyc` });
    const probes: Probe[] = [
      { name: 'kycPod', host: kycIp, port: 8080, expect: 'closed' },
      { name: 'kycMetrics', host: kycIp, port: 9090, expect: 'closed' },
      { name: 'kycService', host: kycService.spec?.clusterIP as string, port: 8080, expect: 'closed' },
      { name: 'gatewayPod', host: gatewayIp, port: 8080, expect: 'open' },
      { name: 'apiServerOnNode', host: NODE_IP, port: API_SERVER_PORT, expect: 'open' },
      { name: 'frontendPod', host: frontendPod.status?.podIP as string, port: 8080, expect: 'closed' },
    ];
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name: prober, labels: { 'app.kubernetes.io/name': 'netpol-e2e' } },
        spec: {
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: 1,
          automountServiceAccountToken: false,
          nodeSelector: { 'kyc.dev/node': 'real' },
          tolerations: [{ key: 'kyc.dev/real-node', operator: 'Exists', effect: 'NoSchedule' }],
          containers: [
            { name: 'probe', image, imagePullPolicy: 'IfNotPresent', command: ['node', '-e', PROBER, JSON.stringify(probes), 'pod'] },
          ],
        },
      },
    });
    const message = await eventually(
      `the probe pod ${prober} to finish`,
      async () => {
        const pod = await core.readNamespacedPod({ namespace: NAMESPACE, name: prober });
        return pod.status?.containerStatuses?.[0]?.state?.terminated?.message;
      },
      180_000,
      1000,
    );
    const outcomes = JSON.parse(message) as Outcomes;
    expectOpen(outcomes.gatewayPod);
    expectOpen(outcomes.apiServerOnNode);
    expectClosed(outcomes.kycPod);
    expectClosed(outcomes.kycMetrics);
    expectClosed(outcomes.kycService);
    expectClosed(outcomes.frontendPod);
  }, 240_000);

  it('lets kyc reach auth (by name) and PostgreSQL, and nothing else: not the gateway, not the API server on the node', async () => {
    const outcomes = await probeByExec(kycPod.metadata?.name as string, 'kyc', [
      { name: 'auth', host: `${PLATFORM}-auth`, port: 8080, expect: 'open', lookup: true },
      { name: 'postgres', host: NODE_IP, port: POSTGRES_PORT, expect: 'open' },
      { name: 'gatewayPod', host: gatewayIp, port: 8080, expect: 'closed' },
      { name: 'apiServerOnNode', host: NODE_IP, port: API_SERVER_PORT, expect: 'closed' },
    ]);
    expectOpen(outcomes.auth);
    expectOpen(outcomes.postgres);
    expectClosed(outcomes.gatewayPod);
    expectClosed(outcomes.apiServerOnNode);
  }, 180_000);

  it('lets the frontend resolve names and reach nothing: not auth, not PostgreSQL, not the gateway', async () => {
    const outcomes = await probeByExec(frontendPod.metadata?.name as string, 'frontend', [
      // Resolved through the cluster DNS on every try (DNS is its one egress), then refused.
      { name: 'auth', host: `${PLATFORM}-auth`, port: 8080, expect: 'closed', lookup: true },
      { name: 'postgres', host: NODE_IP, port: POSTGRES_PORT, expect: 'closed' },
      { name: 'gatewayPod', host: gatewayIp, port: 8080, expect: 'closed' },
    ]);
    expectClosed(outcomes.auth);
    expectClosed(outcomes.postgres);
    expectClosed(outcomes.gatewayPod);
    // ...while the gateway reaches it: the web app's page through the gateway.
    const page = await request<string>(`${base}/`);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
  }, 180_000);

  it('still serves the API through the gateway: the admin makes a maker, who reads the review queue', async () => {
    // Staff made through the admin API rather than a sign-up: sign-ups are limited per client address,
    // and every suite calls from this machine's.
    const admin = await login(api, await adminAccount());
    const maker: Account = { email: `e2e-netpol-maker-${run}@bank.example`, password: `netpol-maker-password-${run}` };
    const made = await request(api('/admin/users'), {
      body: { ...maker, role: 'maker', staffId: `e2e-netpol-${run}` },
      token: admin.accessToken,
      idempotent: true,
    });
    expect(made.status).toBe(201);
    const tokens = await login(api, maker);
    // Gateway → kyc; kyc verifies the token with auth's keys (kyc → auth) and reads PostgreSQL.
    const queue = await request<{ items: unknown[] }>(api('/review/queue'), { token: tokens.accessToken });
    expect(queue.status).toBe(200);
    expect(Array.isArray(queue.body.items)).toBe(true);
  }, 60_000);
});
