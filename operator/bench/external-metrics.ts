// Benchmark of the external metrics API as the HPA controller uses it: 100 platforms, one query per
// second per HPA (100 queries/s), each through the kube-apiserver's aggregator to this process's
// HTTPS server. The load generator runs in a child process (so that its work does not stall the
// server's event loop). Prints client-side (through the API server) and server-side percentiles.
//   make bench-scaling            (needs `make cluster`; BENCH_SECONDS, default 60)
import { request, Agent, type RequestOptions } from 'node:https';
import { networkInterfaces } from 'node:os';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient, type ResourceType } from '../src/runtime/kube.js';
import { createLogger } from '../src/runtime/logger.js';
import { Authorizer, loadRequestHeaderAuth } from '../src/metrics-api/auth.js';
import { APISERVICE, APISERVICE_NAME, ensureServingCert, registerApiService } from '../src/metrics-api/registration.js';
import { startMetricsApiServer } from '../src/metrics-api/server.js';
import { ScalingEngine } from '../src/scaling/engine.js';
import { platform as fixture } from '../src/api/fixtures.js';

const PLATFORMS = 100;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const NAMESPACE: ResourceType = { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false };
const SERVICE: ResourceType = { apiVersion: 'v1', kind: 'Service', plural: 'services', namespaced: true };
const ENDPOINTS: ResourceType = { apiVersion: 'v1', kind: 'Endpoints', plural: 'endpoints', namespaced: true };

/** An IPv4 address of this host that is not loopback (Endpoints refuse loopback). */
function hostAddress(): string {
  for (const addresses of Object.values(networkInterfaces()))
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  throw new Error('no non-loopback IPv4 address');
}

const percentile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const kubeconfig = process.env.KUBECONFIG ?? '';
  const client = KubeClient.fromConfig(kubeconfig);
  const ns = `bench-scaling-${Math.random().toString(36).slice(2, 8)}`;
  await client.create(NAMESPACE, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const previous = await client.get<{
    apiVersion: string;
    kind: string;
    metadata: { name: string; resourceVersion?: string };
    spec?: unknown;
  }>(APISERVICE, '', APISERVICE_NAME);
  const engine = new ScalingEngine({
    logger: createLogger('error'),
    pollIntervalMs: 60_000,
    readSecret: () => Promise.resolve({ brokers: 'kafka:9092' }),
    connectKafka: () => ({ lag: () => Promise.resolve(4200), close: () => Promise.resolve() }),
  });
  for (let i = 0; i < PLATFORMS; i += 1) {
    const p = fixture({ autoscaling: { metrics: { queueLag: { targetLagPerReplica: 100, components: ['kyc'] } } } }, `p${i}`);
    p.metadata.namespace = ns;
    engine.sync(`${ns}/p${i}`, p, {});
  }
  await engine.pollOnce();
  const serverSide: number[] = [];
  const service = { namespace: ns, name: 'kyc-external-metrics', port: 443 };
  const cert = await ensureServingCert(client, service, new Date());
  const api = await startMetricsApiServer({
    host: '0.0.0.0',
    port: 0,
    cert: cert.bundle,
    auth: await loadRequestHeaderAuth(client),
    authorizer: new Authorizer(client),
    values: engine,
    logger: createLogger('error'),
    observe: (_code, seconds) => serverSide.push(seconds * 1000),
  });
  try {
    await client.create(SERVICE, ns, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: service.name },
      spec: { ports: [{ name: 'https', port: 443, targetPort: api.port }] },
    });
    await client.create(ENDPOINTS, ns, {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: service.name },
      subsets: [{ addresses: [{ ip: hostAddress() }], ports: [{ name: 'https', port: api.port }] }],
    });
    await registerApiService(client, service, cert.caBundle);
    for (let i = 0; ; i += 1) {
      const live = await client.get<{
        apiVersion: string;
        kind: string;
        metadata: { name: string };
        status?: { conditions?: { type: string; status: string }[] };
      }>(APISERVICE, '', APISERVICE_NAME);
      if (live?.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True')) break;
      if (i > 120) throw new Error('the APIService did not become Available');
      await sleep(500);
    }

    const { stdout } = await promisify(execFile)(process.execPath, [fileURLToPath(import.meta.url), '--client', ns], {
      env: { ...process.env, BENCH_SECONDS: String(SECONDS) },
      maxBuffer: 64 * 1024 * 1024,
      timeout: (SECONDS + 120) * 1000,
    });
    const result = JSON.parse(stdout) as { latencies: number[]; errors: number; errorKinds: Record<string, number>; elapsed: number };
    const latencies = result.latencies.sort((a, b) => a - b);
    serverSide.splice(0, PLATFORMS); // the client's warm-up round (connections, SubjectAccessReviews)
    serverSide.sort((a, b) => a - b);
    const fmt = (n: number): string => n.toFixed(2);
    process.stdout.write(
      `external metrics API, ${PLATFORMS} platforms, ${fmt(latencies.length / result.elapsed)} queries/s for ${fmt(result.elapsed)} s, ${result.errors} errors ${JSON.stringify(result.errorKinds)}\n` +
        `  through kube-apiserver: p50 ${fmt(percentile(latencies, 0.5))} ms, p90 ${fmt(percentile(latencies, 0.9))} ms, p99 ${fmt(percentile(latencies, 0.99))} ms, max ${fmt(latencies.at(-1) ?? NaN)} ms\n` +
        `  in the operator:        p50 ${fmt(percentile(serverSide, 0.5))} ms, p99 ${fmt(percentile(serverSide, 0.99))} ms, max ${fmt(serverSide.at(-1) ?? NaN)} ms\n`,
    );
  } finally {
    const current = await client.get<{ apiVersion: string; kind: string; metadata: { name: string; resourceVersion?: string } }>(
      APISERVICE,
      '',
      APISERVICE_NAME,
    );
    const ours = (current as { spec?: { service?: { namespace?: string } } } | undefined)?.spec?.service?.namespace === ns;
    if (!ours) {
      // taken over by someone else meanwhile: leave it
    } else if (previous && current)
      await client.replace(APISERVICE, {
        apiVersion: APISERVICE.apiVersion,
        kind: APISERVICE.kind,
        metadata: { name: APISERVICE_NAME, resourceVersion: current.metadata.resourceVersion },
        spec: previous.spec,
      });
    else if (current) await client.delete(APISERVICE, '', APISERVICE_NAME);
    await api.close();
    await engine.stop();
    await client.delete(NAMESPACE, '', ns);
    client.close();
  }
}

/** The load generator (child process): one query per second per platform through the API server. */
async function loadClient(ns: string): Promise<void> {
  const kubeconfig = process.env.KUBECONFIG ?? '';
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const server = new URL(kc.getCurrentCluster()?.server ?? '');
  const options: RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  const get = (path: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = request({ ...options, agent, host: server.hostname, port: server.port, path, method: 'GET' }, (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - started) / 1e6) : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      });
      req.on('error', reject);
      req.end();
    });
  const path = (i: number): string =>
    `/apis/external.metrics.k8s.io/v1beta1/namespaces/${ns}/kafka-consumer-lag?labelSelector=${encodeURIComponent(`kyc.dev/platform=p${i},kyc.dev/component=kyc`)}`;
  for (let i = 0; i < PLATFORMS; i += 1) await get(path(i)); // warm-up: connections and the SubjectAccessReview cache

  const latencies: number[] = [];
  let errors = 0;
  const errorKinds: Record<string, number> = {};
  const pending: Promise<void>[] = [];
  const interval = 1000 / PLATFORMS;
  const start = Date.now();
  for (let n = 0; Date.now() - start < SECONDS * 1000; n += 1) {
    const due = start + n * interval;
    if (due > Date.now()) await sleep(due - Date.now());
    pending.push(
      get(path(n % PLATFORMS)).then(
        (ms) => void latencies.push(ms),
        (error: unknown) => {
          errors += 1;
          const kind = (error as Error).message;
          errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
        },
      ),
    );
  }
  await Promise.all(pending);
  const elapsed = (Date.now() - start) / 1000;
  process.stdout.write(JSON.stringify({ latencies, errors, errorKinds, elapsed }));
  agent.destroy();
}

const entry = process.argv[2] === '--client' ? loadClient(process.argv[3] ?? '') : main();
entry.catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
