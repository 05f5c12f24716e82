// Proves the local cluster's real node runs real containers: a pod of the project's base image serves
// HTTP and becomes Ready through its readiness probe; another pod resolves the Service's name through
// the cluster DNS, gets an HTTP 200 through the Service's ClusterIP (kube-proxy), talks to the API
// server through the `kubernetes` Service with its ServiceAccount token, and reaches the host's
// PostgreSQL and Redis through the node's bridge address. A pod that does not tolerate the node's
// taint keeps landing on the KWOK nodes.
//
// The suite brings up what it needs: `hack/node/up.sh` and `hack/image/build.sh` are idempotent
// (seconds when warm; the first run on a machine builds kubelet, kube-proxy, CoreDNS and the base
// image and may take 20 minutes or more).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { eventually, requireEnv, uniqueSuffix } from '../../support/env.js';

const run = promisify(execFile);
const repo = process.cwd();
const NODE_IP = '10.244.128.1';
const REAL_NODE = { kyc: 'kyc.dev/node', value: 'real', taint: 'kyc.dev/real-node' };

requireEnv('KUBECONFIG');
const databaseUrl = requireEnv('DATABASE_URL');
const redisUrl = requireEnv('REDIS_URL');
const kc = new k8s.KubeConfig();
kc.loadFromDefault();
const core = kc.makeApiClient(k8s.CoreV1Api);
const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
const namespace = `real-node-${uniqueSuffix()}`;
let image = '';

/** The same URL with its host replaced by the node's bridge address (what a pod dials). */
function viaBridge(url: string): string {
  const u = new URL(url);
  u.hostname = NODE_IP;
  return u.toString();
}

const onRealNode = {
  terminationGracePeriodSeconds: 1,
  nodeSelector: { [REAL_NODE.kyc]: REAL_NODE.value },
  tolerations: [{ key: REAL_NODE.taint, operator: 'Exists', effect: 'NoSchedule' }],
};

function podReady(pod: k8s.V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

// The client pod's program: every check's outcome goes into one JSON object, written to the
// termination message (the API server reads it from the pod's status; no `kubectl logs` needed).
const clientProgram = String.raw`
const fs = require('fs');
const dns = require('dns').promises;
const out = {};
// Each check retries for up to 30 s: kube-proxy programs a new Service's rules asynchronously, just
// as a real client would have to wait for them.
const check = async (name, fn) => {
  for (let attempt = 1; ; attempt++) {
    try { out[name] = await fn(); return; } catch (e) {
      if (attempt >= 60) { out[name] = { error: String(e && (e.cause?.code || e.code || e.message) || e) }; return; }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
};
(async () => {
  await check('lookup', async () => (await dns.lookup('web')).address);
  await check('lookupFqdn', async () => (await dns.lookup('web.' + process.env.NAMESPACE + '.svc.cluster.local')).address);
  // Until kube-proxy has programmed the new ClusterIP, a packet to it leaves the node by the default
  // route, and on this machine the network beyond answers any address on port 80 (an empty 404). So
  // another answer than web's is retried too, and every attempt opens a new connection: fetch would
  // keep that first connection alive and send every retry down it, never reaching the Service.
  const http = require('http');
  await check('http', () => new Promise((resolve, reject) => {
    const req = http.get('http://web/', { agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve({ status: res.statusCode, body }) : reject(new Error('HTTP ' + res.statusCode + ' ' + body.slice(0, 80)))));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  }));
  await check('api', async () => {
    const sa = '/var/run/secrets/kubernetes.io/serviceaccount/';
    const https = require('https');
    const agent = new https.Agent({ ca: fs.readFileSync(sa + 'ca.crt') });
    return await new Promise((resolve, reject) => {
      https.get('https://kubernetes.default.svc/api/v1/namespaces/' + process.env.NAMESPACE + '/pods/web',
        { agent, headers: { authorization: 'Bearer ' + fs.readFileSync(sa + 'token', 'utf8') } },
        (res) => { let b = ''; res.on('data', (d) => (b += d)); res.on('end', () => resolve({ status: res.statusCode, name: JSON.parse(b).metadata?.name })); })
        .on('error', reject);
    });
  });
  await check('postgres', async () => {
    const pg = require('pg');
    const c = new pg.Client({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 10000 });
    await c.connect();
    try { return (await c.query('select 41 + 1 as answer')).rows[0].answer; } finally { await c.end(); }
  });
  await check('redis', async () => {
    const { Redis } = require('ioredis');
    const r = new Redis(process.env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 10000 });
    await r.connect();
    try { return await r.ping(); } finally { r.disconnect(); }
  });
  fs.writeFileSync('/dev/termination-log', JSON.stringify(out));
})();
`;

interface ClientResult {
  lookup?: unknown;
  lookupFqdn?: unknown;
  http?: { status?: number; body?: string };
  api?: { status?: number; name?: string };
  postgres?: unknown;
  redis?: unknown;
}

beforeAll(async () => {
  // Idempotent: starts the node and builds/imports the base image only when missing.
  await run(join(repo, 'hack/node/up.sh'), [], { cwd: repo, maxBuffer: 16 * 1024 * 1024 });
  const built = await run(join(repo, 'hack/image/build.sh'), ['build'], { cwd: repo, maxBuffer: 16 * 1024 * 1024 });
  image = built.stdout.trim().split('\n').pop() ?? '';
  expect(image).toMatch(/^kyc-operator\/node-base:\d+\.\d+\.\d+-[0-9a-f]{12}$/);

  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await eventually('the default ServiceAccount', () => core.readNamespacedServiceAccount({ name: 'default', namespace }).then(() => true));
  // Read access to pods for the client pod's ServiceAccount (to prove an authenticated API call).
  await rbac.createNamespacedRole({
    namespace,
    body: { metadata: { name: 'pod-reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
  });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: 'pod-reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'default', namespace }],
    },
  });
  await core.createNamespacedSecret({
    namespace,
    body: {
      metadata: { name: 'deps' },
      stringData: { DATABASE_URL: viaBridge(databaseUrl), REDIS_URL: viaBridge(redisUrl) },
    },
  });
}, 60 * 60_000);

afterAll(async () => {
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
});

describe('the real node', () => {
  it('is Ready, tainted and labelled so that only pods that ask for it land there', async () => {
    const node = await core.readNode({ name: 'kyc-real-node' });
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.spec?.taints).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: REAL_NODE.taint, value: 'true', effect: 'NoSchedule' })]),
    );
    expect(node.metadata?.labels?.[REAL_NODE.kyc]).toBe(REAL_NODE.value);
    expect(node.status?.nodeInfo?.containerRuntimeVersion).toMatch(/^containerd:\/\//);
    expect(node.status?.nodeInfo?.kubeletVersion).toBe('v1.33.13');
  });

  it('runs a pod of the base image that serves HTTP and becomes Ready', async () => {
    const started = Date.now();
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'web', labels: { app: 'web' } },
        spec: {
          ...onRealNode,
          containers: [
            {
              name: 'web',
              image,
              imagePullPolicy: 'Never',
              command: ['node', '-e'],
              args: ["require('http').createServer((req, res) => res.end('hello from ' + require('os').hostname())).listen(8080)"],
              ports: [{ containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
            },
          ],
        },
      },
    });
    await core.createNamespacedService({
      namespace,
      body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
    });
    const pod = await eventually(
      'the web pod to be Ready',
      async () => {
        const p = await core.readNamespacedPod({ name: 'web', namespace });
        return podReady(p) ? p : undefined;
      },
      180_000,
      500,
    );
    process.stdout.write(`real-node: web pod Ready ${Date.now() - started} ms after creation\n`);
    expect(pod.spec?.nodeName).toBe('kyc-real-node');
    expect(pod.status?.podIP).toMatch(/^10\.244\.(12[89]|13\d|14[0-3])\./);
  }, 240_000);

  it('lets a pod resolve the Service by name, get 200 through its ClusterIP, call the API server and reach PostgreSQL and Redis on the host', async () => {
    const service = await core.readNamespacedService({ name: 'web', namespace });
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'client' },
        spec: {
          ...onRealNode,
          restartPolicy: 'Never',
          // The repository's own node_modules (pg, ioredis), read-only: the base image has no packages.
          volumes: [{ name: 'deps', hostPath: { path: join(repo, 'node_modules'), type: 'Directory' } }],
          containers: [
            {
              name: 'client',
              image,
              imagePullPolicy: 'Never',
              command: ['node', '-e', clientProgram],
              env: [
                { name: 'NODE_PATH', value: '/deps/node_modules' },
                { name: 'NAMESPACE', value: namespace },
              ],
              envFrom: [{ secretRef: { name: 'deps' } }],
              volumeMounts: [{ name: 'deps', mountPath: '/deps/node_modules', readOnly: true }],
            },
          ],
        },
      },
    });
    const terminated = await eventually(
      'the client pod to finish',
      async () => {
        const p = await core.readNamespacedPod({ name: 'client', namespace });
        return p.status?.containerStatuses?.[0]?.state?.terminated;
      },
      240_000,
      500,
    );
    expect(terminated.exitCode).toBe(0);
    const result = JSON.parse(terminated.message ?? '{}') as ClientResult;
    process.stdout.write(
      `real-node: client pod finished in ${terminated.finishedAt && terminated.startedAt ? new Date(terminated.finishedAt).getTime() - new Date(terminated.startedAt).getTime() : '?'} ms\n`,
    );
    expect(result).toEqual({
      lookup: service.spec?.clusterIP,
      lookupFqdn: service.spec?.clusterIP,
      http: { status: 200, body: 'hello from web' },
      api: { status: 200, name: 'web' },
      postgres: 42,
      redis: 'PONG',
    });
  }, 300_000);

  it('keeps pods that do not tolerate its taint on the KWOK nodes', async () => {
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'elsewhere' },
        spec: { containers: [{ name: 'c', image: 'kyc-operator/none:1' }] },
      },
    });
    const nodeName = await eventually('the pod to be scheduled', async () => {
      const p = await core.readNamespacedPod({ name: 'elsewhere', namespace });
      return p.spec?.nodeName;
    });
    expect(nodeName).toMatch(/^kwok-node-/);
  });
});
