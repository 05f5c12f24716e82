// Operator benchmark: N development-profile platforms created at once in a fresh namespace, with the
// operator running as its own process. Measures the time until all are Ready, mutating API requests
// per platform, the operator's peak RSS, and the writes of a steady-state resync. The floor, in the
// same run: create the same N platforms in another namespace with no operator watching it, and
// server-side-apply their rendered manifests directly, as fast as the client allows; time until every
// Deployment is available.
//
//   make bench-operator                      # N=100
//   make bench-operator BENCH_PLATFORMS=500
//   BENCH_SKIP_FLOOR=1                       # operator half only (memory work)
//   BENCH_SKIP_RESTART=1                     # no restart of the operator over its platforms at the end
//   BENCH_RESYNC_SECONDS=300                 # the operator's resync period until the restart (default 20:
//                                            # every applied platform passed again while others converge;
//                                            # 300 is the chart's); the fleet at rest is watched this + 10 s
//   BENCH_OPERATOR_ENV='MALLOC_ARENA_MAX=8 NODE_OPTIONS=...'  # the operator process's environment over the
//                                            # manifest's NODE_OPTIONS and MALLOC_* (operator/deploy/deployment.yaml)
//   BENCH_OPERATOR_NODE_ARGS='--optimize-for-size'  # node's flags before the script, instead of those of
//                                            # operator/deploy/deployment.yaml's command ('' for none)
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import * as yaml from 'js-yaml';
import { renderPlatform } from '../src/render/index.js';
import { componentReady, type DeploymentLike } from '../src/api/observed.js';
import { FIELD_MANAGER } from '../src/runtime/apply.js';
import { parseQuantity } from '../src/runtime/hash.js';
import { KubeClient, type KubeResource, type ResourceType } from '../src/runtime/kube.js';
import { OperatorMetrics } from '../src/runtime/metrics.js';
import type { PlatformResource } from '../src/reconcile/platform.js';
import { PLATFORM, typeOf } from '../src/reconcile/resources.js';

const NAMESPACE: ResourceType = { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false };
const SECRET: ResourceType = { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true };
const SERVICE: ResourceType = { apiVersion: 'v1', kind: 'Service', plural: 'services', namespaced: true };
const NODE: ResourceType = { apiVersion: 'v1', kind: 'Node', plural: 'nodes', namespaced: false };
const DEPLOYMENT: ResourceType = { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true };
const CRD: ResourceType = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  namespaced: false,
};

const platforms = Number(process.env.BENCH_PLATFORMS ?? process.argv[2] ?? 100);
const applyConcurrency = Number(process.env.BENCH_APPLY_CONCURRENCY ?? 64);
const operatorConcurrency = process.env.BENCH_OPERATOR_CONCURRENCY ?? '16';
const timeoutMs = Number(process.env.BENCH_TIMEOUT_SECONDS ?? 900) * 1000;
const kubeconfig = process.env.KUBECONFIG ?? '';
const suffix = Math.random().toString(36).slice(2, 7);
const skipFloor = process.env.BENCH_SKIP_FLOOR === '1';
const skipRestart = process.env.BENCH_SKIP_RESTART === '1';
const resyncSeconds = Number(process.env.BENCH_RESYNC_SECONDS ?? 20);
/** The operator process's environment on top of the deploy defaults, as NAME=value words. */
const operatorEnv = Object.fromEntries(
  (process.env.BENCH_OPERATOR_ENV ?? '')
    .split(/\s+(?=[A-Z_][A-Z0-9_]*=)/)
    .filter(Boolean)
    .map((word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]),
);

const metrics = new OperatorMetrics();
const client = KubeClient.fromConfig(kubeconfig, metrics);
const log = (message: string): void => void process.stderr.write(`[bench ${new Date().toISOString()}] ${message}\n`);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function loadYaml(path: string): KubeResource[] {
  return yaml
    .loadAll(readFileSync(new URL(`../../${path}`, import.meta.url).pathname.replace('/dist/', '/'), 'utf8'))
    .filter(Boolean) as KubeResource[];
}

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

async function retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= 5) throw new Error(what, { cause: error });
      await sleep(200 * attempt);
    }
  }
}

async function setup(prefix: string): Promise<string> {
  const namespace = `${prefix}-${suffix}`;
  await client.create(NAMESPACE, '', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace, labels: { 'kyc.dev/bench': 'operator' } },
  });
  for (const secret of loadYaml('samples/secrets-development.yaml')) {
    await client.create(SECRET, namespace, { ...secret, metadata: { ...secret.metadata, namespace } });
  }
  return namespace;
}

/** Deletes the namespace and waits until it (and its pods) are gone: the fake nodes hold a limited number of pods. */
async function teardown(namespace: string): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    try {
      await client.delete(NAMESPACE, '', namespace);
      if (!(await client.get(NAMESPACE, '', namespace))) return;
    } catch (error) {
      // The shared cluster's API server may restart under us (other suites test exactly that).
      log(`clean-up of ${namespace} retrying: ${(error as Error).message}`);
    }
    await sleep(2_000);
  }
  log(`gave up waiting for ${namespace} to be deleted`);
}

function platformObject(namespace: string, index: number): PlatformResource {
  const [sample] = loadYaml('samples/development.yaml') as PlatformResource[];
  if (!sample) throw new Error('samples/development.yaml is empty');
  return { ...sample, metadata: { name: `bench-${index}`, namespace } };
}

async function createPlatforms(namespace: string): Promise<PlatformResource[]> {
  const created: PlatformResource[] = [];
  await pool(
    Array.from({ length: platforms }, (_, i) => i),
    applyConcurrency,
    async (i) =>
      void created.push(
        await retry(`create platform ${i}`, () => client.create<PlatformResource>(PLATFORM, namespace, platformObject(namespace, i))),
      ),
  );
  return created;
}

/** Polls `check` every second; `failure` says why to stop waiting at once (a process that exited). */
async function waitUntil(what: string, check: () => Promise<boolean>, failure?: () => string | undefined): Promise<void> {
  const started = Date.now();
  while (!(await check().catch(() => false))) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    const reason = failure?.();
    if (reason) throw new Error(`gave up waiting for ${what}: ${reason}`);
    await sleep(1_000);
  }
}

async function readyPlatforms(namespace: string): Promise<number> {
  const { items } = await client.list<PlatformResource>(PLATFORM, namespace);
  return items.filter(
    (p) =>
      p.status?.observedGeneration === p.metadata.generation &&
      p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  ).length;
}

async function availableDeployments(namespace: string): Promise<number> {
  const { items } = await client.list<KubeResource & DeploymentLike>(DEPLOYMENT, namespace);
  return items.filter((d) => componentReady(d)).length;
}

type Stamped = KubeResource & { status?: { conditions?: { type: string; status: string; lastTransitionTime?: string }[] } };

/** When a condition last turned True, in seconds after `started` (the API keeps whole seconds). */
function trueSince(object: Stamped, type: string, started: number): number | undefined {
  const condition = object.status?.conditions?.find((c) => c.type === type && c.status === 'True');
  return condition?.lastTransitionTime ? (Date.parse(condition.lastTransitionTime) - started) / 1000 : undefined;
}

function createdAt(object: KubeResource, started: number): number {
  return (Date.parse(object.metadata.creationTimestamp ?? '') - started) / 1000;
}

/** `p50 / p90 / max` of seconds, for the timeline lines. */
function spread(values: number[]): string {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const at = (q: number): string => (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN).toFixed(0);
  return `${at(0.5)} / ${at(0.9)} / ${at(1)} s`;
}

/**
 * Where the time went, per platform, from the objects themselves (read before the clean-up): when its
 * first and last owned objects were created (the operator's queue and its applies), when its last
 * Deployment became Available (the pods: scheduler, kube-controller-manager, KWOK) and, with an
 * operator, when the platform turned Ready (its status write).
 */
async function timeline(namespace: string, started: number, withPlatforms: boolean): Promise<string> {
  const [deployments, services] = await Promise.all([
    client.list<Stamped>(DEPLOYMENT, namespace),
    client.list<KubeResource>(SERVICE, namespace),
  ]);
  const byPlatform = new Map<string, { created: number[]; available: number[] }>();
  const entry = (o: KubeResource): { created: number[]; available: number[] } | undefined => {
    const owner = o.metadata.labels?.['app.kubernetes.io/instance'];
    if (!owner) return undefined;
    let e = byPlatform.get(owner);
    if (!e) byPlatform.set(owner, (e = { created: [], available: [] }));
    return e;
  };
  for (const d of deployments.items) {
    const e = entry(d);
    e?.created.push(createdAt(d, started));
    e?.available.push(trueSince(d, 'Available', started) ?? NaN);
  }
  for (const s of services.items) entry(s)?.created.push(createdAt(s, started));
  const rows = [...byPlatform.values()];
  const parts = [
    `first object created ${spread(rows.map((r) => Math.min(...r.created)))}`,
    `last object created ${spread(rows.map((r) => Math.max(...r.created)))}`,
    `last Deployment Available ${spread(rows.map((r) => Math.max(...r.available)))}`,
  ];
  if (withPlatforms) {
    const { items } = await client.list<Stamped>(PLATFORM, namespace);
    parts.push(`platform Ready ${spread(items.map((p) => trueSince(p, 'Ready', started) ?? NaN))}`);
    // How long a platform whose pods were all up waited for its status to say so: its pass then is a
    // status update, which must not queue behind the first passes of the others (docs/operator.md).
    const lag = items.map(
      (p) => (trueSince(p, 'Ready', started) ?? NaN) - Math.max(...(byPlatform.get(p.metadata.name)?.available ?? [NaN])),
    );
    parts.push(`Ready after its last Deployment Available ${spread(lag)}`);
  }
  return `timeline (p50 / p90 / max after the start): ${parts.join('; ')}`;
}

async function floor(): Promise<{ seconds: number; applies: number }> {
  const namespace = await setup('bench-floor');
  try {
    const started = Date.now();
    const created = await createPlatforms(namespace);
    const objects = created.flatMap((p) => renderPlatform(p) as KubeResource[]);
    const first = objects.filter((o) => o.kind === 'ServiceAccount' || o.kind === 'ConfigMap');
    const rest = objects.filter((o) => !(o.kind === 'ServiceAccount' || o.kind === 'ConfigMap'));
    for (const wave of [first, rest]) {
      await pool(
        wave,
        applyConcurrency,
        async (o) => void (await retry(`apply ${o.kind} ${o.metadata.name}`, () => client.apply(typeOf(o), o, FIELD_MANAGER))),
      );
    }
    log(`floor: every object applied after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const deployments = objects.filter((o) => o.kind === 'Deployment').length;
    await waitUntil('the floor Deployments', async () => (await availableDeployments(namespace)) >= deployments);
    const seconds = (Date.now() - started) / 1000;
    log(`floor ${await timeline(namespace, started, false).catch((error: unknown) => String(error))}`);
    return { seconds, applies: objects.length };
  } finally {
    log('floor done; deleting its namespace');
    await teardown(namespace);
  }
}

interface OperatorRun {
  seconds: number;
  writes: number;
  writesWithoutEvents: number;
  peakRssMiB: number;
  resyncWrites: number;
  resyncReconciles: number;
  memory: MemoryPeaks;
  restart?: RestartRun;
}

interface RestartRun {
  readySeconds: number;
  passedSeconds: number;
  readsPerPlatform: number;
  writes: number;
  peakRssMiB: number;
  memory: MemoryPeaks;
}

/** Peaks over the run, in MiB: RSS from /proc, the rest from the operator's own process metrics. */
interface MemoryPeaks {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  /** heapTotal, heapUsed and external when RSS peaked. */
  atRssPeak: { heapTotal: number; heapUsed: number; external: number };
}

const MiB = 2 ** 20;

function rssMiB(child: ChildProcess): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/**
 * Samples the operator's memory until stopped: RSS from /proc every second, the heap from its metrics
 * every 15 s, as often as a Prometheus would scrape it. At 1,000 platforms a scrape is ~36,000 series and
 * seconds of the operator's CPU: scraped every second, it took more than half of it (docs/benchmarks.md).
 */
function sampleMemory(child: ChildProcess, port: number): { stop: () => MemoryPeaks } {
  const peaks: MemoryPeaks = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, atRssPeak: { heapTotal: 0, heapUsed: 0, external: 0 } };
  let latest = { heapTotal: 0, heapUsed: 0, external: 0 };
  let scraping = false;
  let tick = 0;
  const timer = setInterval(() => {
    try {
      const rss = rssMiB(child);
      if (rss >= peaks.rss) {
        peaks.rss = rss;
        peaks.atRssPeak = latest;
      }
    } catch {
      return;
    }
    tick += 1;
    if (scraping || tick % 15 !== 1) return;
    scraping = true;
    scrape(port)
      .then(
        (values) => {
          latest = {
            heapTotal: sum(values, (s) => s.startsWith('nodejs_heap_size_total_bytes')) / MiB,
            heapUsed: sum(values, (s) => s.startsWith('nodejs_heap_size_used_bytes')) / MiB,
            external: sum(values, (s) => s.startsWith('nodejs_external_memory_bytes')) / MiB,
          };
          peaks.heapTotal = Math.max(peaks.heapTotal, latest.heapTotal);
          peaks.heapUsed = Math.max(peaks.heapUsed, latest.heapUsed);
          peaks.external = Math.max(peaks.external, latest.external);
        },
        () => undefined,
      )
      .finally(() => (scraping = false));
  }, 1_000);
  return {
    stop: () => {
      clearInterval(timer);
      return peaks;
    },
  };
}

async function scrape(port: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

function sum(values: Map<string, number>, match: (series: string) => boolean): number {
  let total = 0;
  for (const [series, value] of values) if (match(series)) total += value;
  return total;
}

const isWrite = (series: string, withEvents: boolean): boolean =>
  series.startsWith('kyc_operator_api_requests_total{') &&
  /verb="(create|update|patch|apply|delete)"/.test(series) &&
  !series.includes('resource="leases"') &&
  (withEvents || !series.includes('resource="events"'));

const isPass = (series: string): boolean => series.startsWith('kyc_operator_reconcile_total{');

const isRead = (series: string): boolean =>
  series.startsWith('kyc_operator_api_requests_total{') && /verb="(get|list)"/.test(series) && !series.includes('resource="leases"');

/**
 * The requests of a scrape per platform that `match` picks, by resource and verb, largest first: where
 * a platform's requests go (the informers' lists and watches are not in it: they are few and shared).
 */
function requestsByResource(values: Map<string, number>, match: (series: string) => boolean, per = platforms): string {
  const byKey = new Map<string, number>();
  for (const [series, value] of values) {
    if (!match(series)) continue;
    const key = `${/resource="([^"]*)"/.exec(series)?.[1] ?? '?'} ${/verb="([^"]*)"/.exec(series)?.[1] ?? '?'}`;
    byKey.set(key, (byKey.get(key) ?? 0) + value / per);
  }
  return [...byKey]
    .filter(([, share]) => share >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([what, share]) => `${what} ${share.toFixed(1)}`)
    .join(', ');
}

function peakRssMiB(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

/**
 * How operator/deploy/deployment.yaml starts node: its NODE_OPTIONS and glibc malloc settings
 * (MALLOC_*), and the flags before the script in its command.
 */
function deployNode(): { env: Record<string, string>; args: string[] } {
  const [deployment] = loadYaml('operator/deploy/deployment.yaml') as (KubeResource & {
    spec: { template: { spec: { containers: { command?: string[]; env?: { name: string; value?: string }[] }[] } } };
  })[];
  const container = deployment?.spec.template.spec.containers[0];
  const env = Object.fromEntries(
    (container?.env ?? [])
      .filter((e) => (e.name === 'NODE_OPTIONS' || e.name.startsWith('MALLOC_')) && e.value !== undefined)
      .map((e) => [e.name, e.value as string]),
  );
  if (!env.NODE_OPTIONS) throw new Error('operator/deploy/deployment.yaml sets no NODE_OPTIONS');
  return { env, args: (container?.command ?? []).filter((word) => word.startsWith('--')) };
}

/** The operator as its own process, watching `namespace`, serving its metrics on `port` and its probes on port + 1. */
function startOperator(namespace: string, port: number, resyncSeconds: number): ChildProcess {
  const node = deployNode();
  const nodeArgs = process.env.BENCH_OPERATOR_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? node.args;
  return spawn(process.execPath, [...nodeArgs, new URL('../src/main.js', import.meta.url).pathname], {
    env: {
      ...process.env,
      WATCH_NAMESPACE: namespace,
      METRICS_PORT: String(port),
      METRICS_HOST: '127.0.0.1',
      // The bench scrapes its own child on loopback: plain HTTP, no TokenReview (the in-cluster default is
      // HTTPS with authentication, docs/operator.md); the probes are on their own port.
      METRICS_SECURE: 'false',
      HEALTH_PROBE_PORT: String(port + 1),
      LEADER_ELECT: 'false',
      CONCURRENCY: operatorConcurrency,
      RESYNC_PERIOD_SECONDS: String(resyncSeconds),
      LOG_LEVEL: 'warn',
      // The same V8 and malloc settings as the in-cluster operator (operator/deploy/deployment.yaml,
      // memory limit 256Mi).
      ...node.env,
      ...operatorEnv,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const hasExited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

async function stopOperator(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

const RESTART_RESYNC_SECONDS = 300;

async function withOperator(): Promise<OperatorRun> {
  const namespace = await setup('bench-op');
  const port = 18_000 + Math.floor(Math.random() * 1000);
  let child = startOperator(namespace, port, resyncSeconds);
  try {
    await waitUntil('the operator to be ready', async () => (await fetch(`http://127.0.0.1:${port + 1}/readyz`)).ok);
    const sampler = sampleMemory(child, port);
    const started = Date.now();
    await createPlatforms(namespace);
    let last = -1;
    await waitUntil('every platform to be Ready', async () => {
      const ready = await readyPlatforms(namespace);
      if (ready !== last) log(`${ready}/${platforms} platforms Ready`);
      last = ready;
      return ready >= platforms;
    });
    const seconds = (Date.now() - started) / 1000;
    const converged = await scrape(port);
    log(`operator ${await timeline(namespace, started, true).catch((error: unknown) => String(error))}`);
    log(`operator writes per platform until Ready, by resource and verb: ${requestsByResource(converged, (s) => isWrite(s, true))}`);
    const reconcilesBefore = sum(converged, isPass);
    log(
      `operator reads per platform until Ready, by resource and verb: ${requestsByResource(converged, isRead)}; ${(reconcilesBefore / platforms).toFixed(1)} passes a platform`,
    );
    // Steady state: wait through at least one full resync and count the writes it made.
    const steadyFrom = Date.now();
    await sleep((resyncSeconds + 10) * 1000);
    const after = await scrape(port);
    // What a fleet at rest costs the API server: the periodic passes' reads, per second.
    const steadySeconds = (Date.now() - steadyFrom) / 1000;
    const delta = new Map([...after].map(([series, value]) => [series, value - (converged.get(series) ?? 0)]));
    const resyncReconciles = sum(delta, isPass);
    const resyncWrites = sum(after, (s) => isWrite(s, true)) - sum(converged, (s) => isWrite(s, true));
    log(
      `operator at rest, ${steadySeconds.toFixed(0)} s: reads a second, by resource and verb: ${requestsByResource(delta, isRead, steadySeconds)}; ${(resyncReconciles / steadySeconds).toFixed(1)} passes a second; ${resyncWrites} writes in ${resyncReconciles} passes`,
    );
    const memory = sampler.stop();
    const peakRss = peakRssMiB(child);
    // Logged before the clean-up, which can take minutes on a busy cluster.
    log(
      `operator: ${seconds.toFixed(1)} s to Ready; peak RSS ${peakRss.toFixed(0)} MiB; memory peaks (MiB) ${JSON.stringify(roundAll(memory))}`,
    );
    const run: OperatorRun = {
      memory,
      seconds,
      writes: sum(converged, (s) => isWrite(s, true)),
      writesWithoutEvents: sum(converged, (s) => isWrite(s, false)),
      peakRssMiB: peakRss,
      resyncWrites,
      resyncReconciles,
    };
    if (!skipRestart) {
      await stopOperator(child);
      // The production resync (the chart's default): the bench's 20 s would queue every platform again
      // before the first passes end, and the queue would never be seen empty.
      child = startOperator(namespace, port + 2, RESTART_RESYNC_SECONDS);
      run.restart = await afterRestart(child, port + 2);
    }
    return run;
  } finally {
    await stopOperator(child);
    log('operator run done; deleting its namespace');
    await teardown(namespace);
  }
}

/**
 * A restart of the operator over the platforms it made: how long until its caches are filled (ready)
 * and until every platform has had its first pass, what those passes ask of the API server (each
 * owned object is read whole once: the caches keep digests of bodies, docs/operator.md, "Writes"),
 * and the new process's peak RSS, which the first lists of every object can set.
 */
async function afterRestart(child: ChildProcess, port: number): Promise<RestartRun> {
  const started = Date.now();
  const sampler = sampleMemory(child, port);
  const exited = (): string | undefined =>
    hasExited(child)
      ? `the operator exited (${child.exitCode ?? child.signalCode}) after ${((Date.now() - started) / 1000).toFixed(1)} s, memory peaks (MiB) ${JSON.stringify(roundAll(sampler.stop()))}`
      : undefined;
  await waitUntil('the restarted operator to be ready', async () => (await fetch(`http://127.0.0.1:${port + 1}/readyz`)).ok, exited);
  const readySeconds = (Date.now() - started) / 1000;
  let values = new Map<string, number>();
  await waitUntil(
    'a first pass of every platform after the restart',
    async () => {
      values = await scrape(port);
      return sum(values, isPass) >= platforms && sum(values, (s) => s.startsWith('kyc_operator_workqueue_depth')) === 0;
    },
    exited,
  );
  const passedSeconds = (Date.now() - started) / 1000;
  const memory = sampler.stop();
  const restart: RestartRun = {
    readySeconds,
    passedSeconds,
    readsPerPlatform: sum(values, isRead) / platforms,
    writes: sum(values, (s) => isWrite(s, false)),
    peakRssMiB: peakRssMiB(child),
    memory,
  };
  log(
    `operator restarted: ready after ${readySeconds.toFixed(1)} s, every platform passed after ${passedSeconds.toFixed(1)} s; reads per platform by resource and verb: ${requestsByResource(values, isRead)}; ${restart.writes} writes without Events; peak RSS ${restart.peakRssMiB.toFixed(0)} MiB; memory peaks (MiB) ${JSON.stringify(roundAll(memory))}`,
  );
  return restart;
}

function roundAll<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' ? Math.round(v) : v))) as T;
}

/**
 * Fails at once when the cluster's nodes cannot hold every platform's pods: the run would otherwise
 * wait out its timeout on Pending pods (the local cluster's fake nodes take 1,000 pods each).
 */
async function checkPodCapacity(): Promise<void> {
  const sample = platformObject('capacity-check', 0);
  const perPlatform = (renderPlatform({ ...sample, metadata: { ...sample.metadata, uid: 'capacity-check' } }) as KubeResource[])
    .filter((o): o is KubeResource & { spec: { replicas?: number } } => o.kind === 'Deployment')
    .reduce((sum, d) => sum + (d.spec.replicas ?? 1), 0);
  const { items } = await client.list<KubeResource & { status?: { allocatable?: { pods?: string } } }>(NODE, '');
  // A quantity: the fake nodes say "1k".
  const capacity = items.reduce((sum, n) => sum + (parseQuantity(n.status?.allocatable?.pods) ?? 0), 0);
  const needed = perPlatform * platforms;
  log(`${perPlatform} pods a platform, ${needed} in all; the ${items.length} nodes take ${capacity}`);
  if (needed > capacity) {
    throw new Error(
      `${platforms} platforms need ${needed} pods and the nodes take ${capacity}: start the cluster with more fake nodes (make cluster-clean; KYC_FAKE_NODES=${Math.ceil(needed / 1000) + 1} make cluster)`,
    );
  }
}

async function main(): Promise<void> {
  await checkPodCapacity();
  const [crd] = loadYaml('crds/kycplatform.yaml');
  if (crd) await client.apply(CRD, crd, 'kyc-operator-bench');
  await sleep(2_000);
  log(
    `${platforms} platforms; ${skipFloor ? 'no floor (BENCH_SKIP_FLOOR=1)' : 'floor first'}; the operator resyncs every ${resyncSeconds} s`,
  );
  const floorRun = skipFloor ? { seconds: NaN, applies: NaN } : await floor();
  if (!skipFloor) log(`floor: ${floorRun.seconds.toFixed(1)} s for ${floorRun.applies} applies`);
  const run = await withOperator();
  const ratio = run.seconds / floorRun.seconds;
  const result = {
    date: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
    platforms,
    floorSeconds: Number(floorRun.seconds.toFixed(1)),
    operatorSeconds: Number(run.seconds.toFixed(1)),
    ratio: Number(ratio.toFixed(2)),
    writesPerPlatform: Number((run.writes / platforms).toFixed(1)),
    writesPerPlatformWithoutEvents: Number((run.writesWithoutEvents / platforms).toFixed(1)),
    objectsPerPlatform: floorRun.applies / platforms,
    peakRssMiB: Number(run.peakRssMiB.toFixed(0)),
    resyncReconciles: run.resyncReconciles,
    resyncWrites: run.resyncWrites,
    memoryMiB: roundAll(run.memory),
    restart: run.restart && roundAll(run.restart),
    operatorEnv,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.stdout.write(
    // With the floor skipped, its columns say so rather than NaN.
    skipFloor
      ? `| ${result.date.slice(0, 10)} | ${platforms} | skipped | ${result.operatorSeconds} s | — | ${result.writesPerPlatform} (${result.writesPerPlatformWithoutEvents} without Events) | ${result.peakRssMiB} MiB (heap used ${result.memoryMiB.heapUsed} MiB) | ${result.resyncWrites} writes in ${result.resyncReconciles} reconciles |\n`
      : `| ${result.date.slice(0, 10)} | ${platforms} | ${result.floorSeconds} s | ${result.operatorSeconds} s | ${result.ratio}× | ${result.writesPerPlatform} (${result.writesPerPlatformWithoutEvents} without Events; ${result.objectsPerPlatform} objects) | ${result.peakRssMiB} MiB (heap used ${result.memoryMiB.heapUsed} MiB) | ${result.resyncWrites} writes in ${result.resyncReconciles} reconciles |\n`,
  );
  client.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-operator failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  client.close();
  process.exit(1);
});
