// Blue-green releases against the real API server (KWOK runs the pods, so the smoke check is a fake the
// suite controls): the happy path, rollback within the window, a preview that never becomes ready (a
// ResourceQuota keeps its pods from being created) aborted at the deadline, manual promotion, abort,
// migration of a platform that ran without blue-green, and the operator killed in every phase; one
// release runs the real HTTP smoke check against a local server that plays preview Services routed late.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { ReleaseStatus } from '../../../operator/src/api/types.js';
import { httpSmokeChecker, type SmokeChecker, type SmokeRequest } from '../../../operator/src/release/smoke.js';
import { EVENT } from '../../../operator/src/runtime/events.js';
import type { KubeResource, ResourceType } from '../../../operator/src/runtime/kube.js';
import { startManager, type RunningOperator } from '../../../operator/src/manager.js';
import type { PlatformResource } from '../../../operator/src/reconcile/platform.js';
import { eventually, uniqueSuffix } from '../../support/env.js';
import {
  createNamespace,
  deleteNamespace,
  DEPLOYMENT,
  developmentPlatform,
  getPlatform,
  installCrd,
  PLATFORM,
  SERVICE,
  testClient,
  testOperatorConfig,
  testOperatorLogger,
} from './support.js';

const QUOTA: ResourceType = { apiVersion: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', namespaced: true };
const COMPONENTS = ['gateway', 'kyc', 'auth', 'notification', 'analytics', 'frontend'];
type Deployment = KubeResource & { spec: { replicas?: number }; status?: { availableReplicas?: number } };
type Service = KubeResource & { spec: { selector?: Record<string, string> } };

const client = testClient();
let namespace = '';
let operator: RunningOperator | undefined;

/**
 * The fake smoke check: 'pass', 'fail', or 'hang' (never answers, as a preview that does not respond); or
 * the real HTTP check against a local server playing every preview Service (`previewUrl`).
 */
let smokeMode: 'pass' | 'fail' | 'hang' | 'http' = 'pass';
let previewUrl = '';
const smokeRequests: SmokeRequest[] = [];
const smokeChecker: SmokeChecker = async (request) => {
  smokeRequests.push(request);
  if (smokeMode === 'http') return httpSmokeChecker(() => previewUrl)(request);
  if (smokeMode === 'hang') return new Promise(() => undefined);
  return smokeMode === 'pass'
    ? { ok: true, version: request.version, message: 'fake smoke check passed' }
    : { ok: false, version: request.version, message: 'fake smoke check: kyc /health HTTP 503' };
};

async function start(): Promise<RunningOperator> {
  const config = testOperatorConfig({ namespace, identity: `release-${uniqueSuffix()}` });
  const t = Date.now();
  const started = await startManager(config, { logger: testOperatorLogger(), smokeChecker });
  if (process.env.RELEASE_TEST_TRACE) process.stderr.write(`start took ${Date.now() - t} ms\n`);
  return started;
}

/** A crash: no lease release, no goodbye; the next operator waits out the lease. */
async function kill(): Promise<void> {
  const t = Date.now();
  await operator?.stop({ releaseLease: false });
  if (process.env.RELEASE_TEST_TRACE) process.stderr.write(`kill took ${Date.now() - t} ms\n`);
  operator = undefined;
}

beforeAll(async () => {
  await installCrd(client);
  namespace = await createNamespace(client, 'op-release');
  operator = await start();
}, 120_000);

// Each test leaves nothing behind, whatever happened: the next one counts pods for its quota. The
// garbage collector removes a deleted platform's pods; on a loaded CI machine that took minutes, and the
// next test's own wait for them ran out, so the wait is here, with the time it may need.
afterEach(async () => {
  operator ??= await start();
  await client.delete(QUOTA, namespace, 'pods').catch(() => undefined);
  const { items } = await client.list(PLATFORM, namespace);
  await Promise.all(items.map((p) => client.delete(PLATFORM, namespace, p.metadata.name)));
  await noPodsLeft();
}, 330_000);

afterAll(async () => {
  await operator?.stop();
  if (namespace) await deleteNamespace(client, namespace);
  client.close();
}, 60_000);

function blueGreen(name: string, version: string, release: Record<string, unknown> = {}): PlatformResource {
  const platform = developmentPlatform(namespace, name, version);
  return { ...platform, spec: { ...platform.spec, release: { scaleDownDelaySeconds: 30, progressDeadlineSeconds: 120, ...release } } };
}

async function release(name: string): Promise<ReleaseStatus> {
  return (await getPlatform(client, namespace, name))?.status?.release ?? {};
}

// Generous: the cluster is shared with other suites and benchmarks (2 cores).
async function waitRelease(
  name: string,
  what: string,
  check: (r: ReleaseStatus, p: PlatformResource) => boolean,
  timeoutMs = 180_000,
): Promise<PlatformResource> {
  return eventually(
    `${name}: ${what}`,
    async () => {
      const platform = await getPlatform(client, namespace, name);
      return platform && check(platform.status?.release ?? {}, platform) ? platform : undefined;
    },
    timeoutMs,
    200,
  );
}

async function selectors(name: string, suffix = ''): Promise<(string | undefined)[]> {
  return Promise.all(
    COMPONENTS.map(async (c) => (await client.get<Service>(SERVICE, namespace, `${name}-${c}${suffix}`))?.spec.selector?.['kyc.dev/color']),
  );
}

async function replicas(name: string, color: string): Promise<(number | undefined)[]> {
  return Promise.all(
    COMPONENTS.map(async (c) => (await client.get<Deployment>(DEPLOYMENT, namespace, `${name}-${c}-${color}`))?.spec.replicas),
  );
}

async function reasons(name: string): Promise<string[]> {
  const uid = (await getPlatform(client, namespace, name))?.metadata.uid;
  const { items } = await client.list<KubeResource & { reason?: string; involvedObject?: { uid?: string } }>(EVENT, namespace);
  return items.filter((e) => e.involvedObject?.uid === uid).map((e) => e.reason ?? '');
}

/**
 * The Switched Event's figures (controller.ts): the switching pass, the time from every preview ready to
 * its end, and to the moment its active Services were applied.
 */
async function switchTimings(name: string): Promise<{ passMs: number; sincePreviewReadyMs: number; servicesSwitchedMs: number }> {
  return eventually('the Switched Event with its timings', async () => {
    const uid = (await getPlatform(client, namespace, name))?.metadata.uid;
    const { items } = await client.list<KubeResource & { reason?: string; message?: string; involvedObject?: { uid?: string } }>(
      EVENT,
      namespace,
    );
    const message = items.find((e) => e.involvedObject?.uid === uid && e.reason === 'Switched')?.message ?? '';
    const found =
      /switch pass (\d+) ms, (\d+) ms after every preview was ready; the active Services switched (\d+) ms after every preview was ready/.exec(
        message,
      );
    return found ? { passMs: Number(found[1]), sincePreviewReadyMs: Number(found[2]), servicesSwitchedMs: Number(found[3]) } : undefined;
  });
}

/** The operator's writes so far by resource (Events and the Lease left out), once none came for a second. */
async function settledWrites(): Promise<Record<string, number>> {
  const count = async (): Promise<Record<string, number>> => {
    const snapshot = await (operator as RunningOperator).metrics.apiRequests.get();
    const out: Record<string, number> = {};
    for (const { labels, value } of snapshot.values) {
      const { verb, resource } = labels as { verb: string; resource: string };
      if (!['create', 'update', 'patch', 'apply', 'delete'].includes(verb) || resource === 'events' || resource === 'leases') continue;
      out[resource] = (out[resource] ?? 0) + value;
    }
    return out;
  };
  let last = await count();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const now = await count();
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
}

function difference(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([resource, n]) => [resource, n - (before[resource] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
}

async function setQuota(pods: number | undefined): Promise<void> {
  if (pods === undefined) {
    await client.delete(QUOTA, namespace, 'pods');
    return;
  }
  await client.apply(
    QUOTA,
    { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'pods', namespace }, spec: { hard: { pods: String(pods) } } },
    'release-test',
  );
}

const POD: ResourceType = { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true };

/** Waits until `name`'s pods are the only pods in the namespace (a quota then counts only them); returns their number. */
/** Waits until the namespace has no pod; the error names the ones left. */
async function noPodsLeft(): Promise<void> {
  await eventually(
    'the deleted platforms’ pods to be gone',
    async () => {
      const { items } = await client.list(POD, namespace);
      if (items.length === 0) return true;
      const left = items.slice(0, 5).map((p) => `${p.metadata.name}${p.metadata.deletionTimestamp ? ' (terminating)' : ''}`);
      throw new Error(`${items.length} pods left: ${left.join(', ')}`);
    },
    300_000,
    500,
  );
}

async function onlyPodsOf(name: string): Promise<number> {
  return eventually(
    `only ${name}'s pods in ${namespace}`,
    async () => {
      const { items } = await client.list(POD, namespace);
      const others = items.filter((p) => p.metadata.labels?.['app.kubernetes.io/instance'] !== name);
      const own = items.filter((p) => p.metadata.labels?.['app.kubernetes.io/instance'] === name && !p.metadata.deletionTimestamp);
      return others.length === 0 ? own.length || undefined : undefined;
    },
    180_000,
  );
}

async function annotate(name: string, key: string): Promise<void> {
  await client.mergePatch(PLATFORM, namespace, name, { metadata: { annotations: { [key]: 'true' } } });
}

const idleAt = (version: string, color?: string) => (r: ReleaseStatus, p: PlatformResource) =>
  r.phase === 'Idle' && r.activeVersion === version && (color === undefined || r.activeColor === color) && p.status?.phase === 'Ready';

describe('blue-green releases on KWOK', () => {
  it('when a new version is set, then green comes up, every active Service switches to it in one pass, blue stays as rollback target, and spec.version back switches back at once', async () => {
    const name = 'bg-happy';
    await client.create(PLATFORM, namespace, blueGreen(name, '0.1.0'));
    const ready = await waitRelease(name, 'Idle on blue at 0.1.0', idleAt('0.1.0', 'blue'));
    expect(ready.status).toMatchObject({ activeVersion: '0.1.0', activeColor: 'blue', readyComponents: '6/6' });
    expect(await selectors(name)).toEqual(COMPONENTS.map(() => 'blue'));
    expect(await selectors(name, '-preview')).toEqual(COMPONENTS.map(() => 'green'));
    expect(await client.get(DEPLOYMENT, namespace, `${name}-kyc`)).toBeUndefined();

    smokeMode = 'pass';
    await client.mergePatch(PLATFORM, namespace, name, { spec: { version: '0.2.0' } });
    const switched = await waitRelease(name, 'switched to green', (r) => r.phase === 'ScalingDown' && r.activeColor === 'green');
    expect(switched.status?.release).toMatchObject({ activeVersion: '0.2.0', previousColor: 'blue', previousVersion: '0.1.0' });
    expect(switched.status?.activeVersion).toBe('0.2.0');
    expect(await selectors(name)).toEqual(COMPONENTS.map(() => 'green'));
    expect(await replicas(name, 'blue')).toEqual(COMPONENTS.map(() => 1));
    expect(smokeRequests.some((r) => r.platform === name && r.version === '0.2.0')).toBe(true);
    const conditions = Object.fromEntries((switched.status?.conditions ?? []).map((c) => [c.type, c.status]));
    expect(conditions).toMatchObject({ ReleaseProgressing: 'False', ReleaseFailed: 'False', Ready: 'True' });
    const seen = await eventually('the release Events', async () => {
      const found = await reasons(name);
      return ['ReleaseStarted', 'PreviewReady', 'SmokeCheckPassed', 'Switched'].every((r) => found.includes(r)) ? found : undefined;
    });
    expect(seen).not.toContain('ReleaseAborted');
    const timings = await switchTimings(name);
    process.stderr.write(
      `release.test: the active Services switched ${timings.servicesSwitchedMs} ms after every preview was ready, the pass done after ${timings.sincePreviewReadyMs} ms (switch pass ${timings.passMs} ms)\n`,
    );

    // Rollback within the scale-down window.
    const writesBefore = await settledWrites();
    const started = Date.now();
    await client.mergePatch(PLATFORM, namespace, name, { spec: { version: '0.1.0' } });
    await eventually('every active Service back on blue', async () => (await selectors(name)).every((s) => s === 'blue'), 10_000, 50);
    const rollbackMs = Date.now() - started;
    process.stderr.write(`release.test: rollback switched every active Service in ${rollbackMs} ms\n`);
    // The target is 2 s: met at 0.6 s on a machine with room (docs/benchmarks.md); 1.4-2.4 s measured at
    // load 11 on 2 cores shared with other suites. The bound here only catches a rollback that waits for
    // something (a requeue, the scale-down delay): a wait would take 30 s.
    expect(rollbackMs).toBeLessThan(5_000);
    // The Services go first in the switching pass; the status follows at the end of it.
    await waitRelease(name, 'the release state on blue', (r) => r.activeColor === 'blue' && r.previousColor === 'green');
    const rollbackWrites = difference(await settledWrites(), writesBefore);
    process.stderr.write(`release.test: the rollback wrote ${JSON.stringify(rollbackWrites)}\n`);
    // Only what a switch changes: the active and preview Services' and the PDBs' colour, the live settings'
    // active colour and the pods told of it (both colours, 6 each), the status. Before the version label
    // left the objects that run no version, every ServiceAccount, Service and NetworkPolicy was relabelled
    // too (53 object writes instead of 26 with five components, docs/benchmarks.md).
    const { kycplatforms: statusWrites, ...objectWrites } = rollbackWrites;
    expect(objectWrites).toEqual({ services: 12, poddisruptionbudgets: 6, configmaps: 1, pods: 12 });
    // One status write in the pass that switches back; a second pass may follow on a busy machine.
    expect(statusWrites).toBeGreaterThanOrEqual(1);
    expect(statusWrites).toBeLessThanOrEqual(2);

    // The window ends: green scales to zero.
    await waitRelease(name, 'green scaled down', idleAt('0.1.0', 'blue'), 60_000);
    await eventually('green at zero replicas', async () => (await replicas(name, 'green')).every((n) => n === 0));
    expect(await reasons(name)).toEqual(expect.arrayContaining(['RolledBack', 'ScaledDown']));
    await client.delete(PLATFORM, namespace, name);
  }, 400_000);

  it('when the preview Services route only a second after the previews are Available (kube-proxy), then the first smoke round waits for them (no failed round, no 3 s retry) and every active Service switches', async () => {
    const name = 'bg-routing';
    await client.create(PLATFORM, namespace, blueGreen(name, '0.1.0'));
    await waitRelease(name, 'Idle on blue at 0.1.0', idleAt('0.1.0', 'blue'));
    // Every preview Service on one local port that refuses connections until the route "appears".
    const preview = http.createServer((_req, res) => {
      res.writeHead(200, { 'x-kyc-version': '0.2.0' });
      res.end('{}');
    });
    const port = await new Promise<number>((resolve) => {
      const probe = http.createServer().listen(0, '127.0.0.1', () => {
        const free = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(free));
      });
    });
    previewUrl = `http://127.0.0.1:${port}`;
    smokeMode = 'http';
    const routeLagMs = 1_000;
    try {
      await client.mergePatch(PLATFORM, namespace, name, { spec: { version: '0.2.0' } });
      // From outside, every 50 ms: every preview Deployment Available at 0.2.0, then every active Service on green.
      let previewsReadyAt = 0;
      const switchedAt = await eventually(
        'every active Service on green',
        async () => {
          const now = performance.now();
          if (!previewsReadyAt) {
            const green = await Promise.all(COMPONENTS.map((c) => client.get<Deployment>(DEPLOYMENT, namespace, `${name}-${c}-green`)));
            if (green.every((d) => (d?.status?.availableReplicas ?? 0) >= 1 && d?.metadata.annotations?.['kyc.dev/version'] === '0.2.0')) {
              previewsReadyAt = now;
              setTimeout(() => preview.listen(port, '127.0.0.1'), routeLagMs);
            }
          }
          return (await selectors(name)).every((s) => s === 'green') ? now : undefined;
        },
        180_000,
        50,
      );
      const timings = await switchTimings(name);
      process.stderr.write(
        `release.test: with routes ${routeLagMs} ms late, every active Service switched ${Math.round(switchedAt - previewsReadyAt)} ms after every preview was Available (seen from outside; Event: Services ${timings.servicesSwitchedMs} ms, pass done ${timings.sincePreviewReadyMs} ms, switch pass ${timings.passMs} ms)\n`,
      );
      // One round, which waited for the routes, and no failed one (that costs a 3 s retry).
      expect(smokeRequests.filter((r) => r.platform === name && r.version === '0.2.0')).toHaveLength(1);
      const seen = await reasons(name);
      expect(seen).toContain('SmokeCheckPassed');
      expect(seen).not.toContain('SmokeCheckFailed');
      expect(switchedAt - previewsReadyAt).toBeGreaterThanOrEqual(routeLagMs);
    } finally {
      smokeMode = 'pass';
      preview.closeAllConnections();
      preview.close();
    }
    await client.delete(PLATFORM, namespace, name);
  }, 400_000);

  it('when the preview never becomes ready, then the release is aborted at the deadline with the active colour untouched', async () => {
    const name = 'bg-stuck';
    await client.create(PLATFORM, namespace, blueGreen(name, '0.1.0', { progressDeadlineSeconds: 30 }));
    await waitRelease(name, 'Idle on blue', idleAt('0.1.0', 'blue'));
    const bluePods = await replicas(name, 'blue');
    // A quota of exactly the pods that run: no room for a preview.
    await setQuota(await onlyPodsOf(name));
    try {
      await client.mergePatch(PLATFORM, namespace, name, { spec: { version: '0.2.0' } });
      await waitRelease(name, 'Deploying', (r) => r.phase === 'Deploying');
      const aborted = await waitRelease(name, 'aborted at the deadline', (r) => r.phase === 'Aborted', 90_000);
      expect(aborted.status?.release).toMatchObject({
        failureReason: 'ProgressDeadlineExceeded',
        activeColor: 'blue',
        activeVersion: '0.1.0',
      });
      const failed = aborted.status?.conditions?.find((c) => c.type === 'ReleaseFailed');
      expect(failed).toMatchObject({ status: 'True', reason: 'ProgressDeadlineExceeded' });
      expect(aborted.status?.phase).toBe('Ready');
      expect(await selectors(name)).toEqual(COMPONENTS.map(() => 'blue'));
      expect(await replicas(name, 'blue')).toEqual(bluePods);
      await eventually('the preview scaled to zero', async () => (await replicas(name, 'green')).every((n) => n === 0));
    } finally {
      await setQuota(undefined);
    }
    // Back to the active version: nothing to release.
    await client.mergePatch(PLATFORM, namespace, name, { spec: { version: '0.1.0' } });
    await waitRelease(name, 'Idle again', idleAt('0.1.0', 'blue'));
    await client.delete(PLATFORM, namespace, name);
  }, 400_000);

  it('when autoPromote is false, then the release waits for kyc.dev/promote=true; kyc.dev/abort=true aborts a release and is removed', async () => {
    const name = 'bg-manual';
    await client.create(PLATFORM, namespace, blueGreen(name, '0.1.0', { autoPromote: false }));
    await waitRelease(name, 'Idle on blue', idleAt('0.1.0', 'blue'));

    await client.mergePatch(PLATFORM, namespace, name, { spec: { version: '0.2.0' } });
    await waitRelease(name, 'AwaitingPromotion', (r) => r.phase === 'AwaitingPromotion');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await selectors(name)).toEqual(COMPONENTS.map(() => 'blue'));
    await annotate(name, 'kyc.dev/abort');
    const aborted = await waitRelease(name, 'Aborted', (r) => r.phase === 'Aborted');
    expect(aborted.status?.release?.failureReason).toBe('AbortRequested');
    await eventually(
      'the abort annotation removed',
      async () => (await getPlatform(client, namespace, name))?.metadata.annotations?.['kyc.dev/abort'] === undefined,
    );
    expect(await selectors(name)).toEqual(COMPONENTS.map(() => 'blue'));

    // promote on an aborted release tries the same version again; promote again switches.
    await annotate(name, 'kyc.dev/promote');
    await waitRelease(name, 'AwaitingPromotion again', (r) => r.phase === 'AwaitingPromotion');
    await annotate(name, 'kyc.dev/promote');
    await waitRelease(
      name,
      'switched to green',
      (r) => r.phase === 'ScalingDown' && r.activeColor === 'green' && r.activeVersion === '0.2.0',
    );
    expect(await selectors(name)).toEqual(COMPONENTS.map(() => 'green'));
    // The promoting pass switches at once and removes the annotation after writing the status.
    await eventually(
      'the promote annotation removed',
      async () => (await getPlatform(client, namespace, name))?.metadata.annotations?.['kyc.dev/promote'] === undefined,
    );
    expect(await reasons(name)).toEqual(
      expect.arrayContaining(['AwaitingPromotion', 'ReleaseAborted', 'ReleaseRetried', 'PromotionRequested']),
    );
    await client.delete(PLATFORM, namespace, name);
  }, 400_000);

  it('when a platform without blue-green gets spec.release, then its single Deployments are adopted as blue and the active Services never lose their endpoints', async () => {
    const name = 'bg-migrate';
    await client.create(PLATFORM, namespace, developmentPlatform(namespace, name, '0.1.0'));
    await waitRelease(name, 'Ready without blue-green', (_r, p) => p.status?.phase === 'Ready' && p.status.activeVersion === '0.1.0');
    expect(await client.get(DEPLOYMENT, namespace, `${name}-kyc`)).toBeDefined();

    // Watch the active kyc Service's endpoints all along the migration.
    const SLICES: ResourceType = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true };
    let empty = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const { items } = await client.list<KubeResource & { endpoints?: { conditions?: { ready?: boolean } }[] }>(SLICES, namespace, {
          labelSelector: `kubernetes.io/service-name=${name}-kyc`,
        });
        if (!items.some((s) => (s.endpoints ?? []).some((e) => e.conditions?.ready))) empty++;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await client.mergePatch(PLATFORM, namespace, name, { spec: { release: { scaleDownDelaySeconds: 30 } } });
    await waitRelease(
      name,
      'switched to blue',
      (r) => r.phase === 'ScalingDown' && r.activeColor === 'blue' && r.previousColor === 'legacy',
    );
    expect(await selectors(name)).toEqual(COMPONENTS.map(() => 'blue'));
    expect(await client.get(DEPLOYMENT, namespace, `${name}-kyc`)).toBeDefined();
    await waitRelease(name, 'Idle on blue', idleAt('0.1.0', 'blue'), 60_000);
    await eventually('the single Deployments deleted', async () => (await client.get(DEPLOYMENT, namespace, `${name}-kyc`)) === undefined);
    watching = false;
    await watcher;
    expect(empty).toBe(0);
    await client.delete(PLATFORM, namespace, name);
  }, 400_000);

  it('when the operator is killed in every phase, then the release completes correctly after each restart', async () => {
    const name = 'bg-restart';
    // A restarted operator is given the Lease before anything else happens (the killed one did not
    // release it): the release then really runs on the new process, and the new process is never
    // stopped half-started.
    const lead = async (): Promise<void> => {
      operator = await start();
      await eventually('the new operator to hold the Lease', () => Promise.resolve(operator?.isLeader()), 60_000, 100);
    };
    const restart = async (): Promise<void> => {
      await kill();
      await lead();
    };
    // gateway: 2 replicas active, previewReplicas 1: Switching has to scale the preview up (and can be held there).
    // A long deadline: the kills and lease hand-overs must not abort the release on a busy machine.
    const platform = blueGreen(name, '0.1.0', { autoPromote: false, previewReplicas: 1, progressDeadlineSeconds: 900 });
    platform.spec.components = { gateway: { replicas: 2 } };
    await client.create(PLATFORM, namespace, platform);
    await waitRelease(name, 'Idle on blue', idleAt('0.1.0', 'blue'));
    // Blue runs 7 pods; the preview needs 6 more, then 1 more at the switch.
    const running = await onlyPodsOf(name);
    expect(running).toBe(7);

    // Deploying: the quota holds the preview back.
    await setQuota(running);
    await client.mergePatch(PLATFORM, namespace, name, { spec: { version: '0.2.0' } });
    await waitRelease(name, 'Deploying', (r) => r.phase === 'Deploying');
    await kill();
    await setQuota(running + 6);
    smokeMode = 'hang';
    await lead();
    // Verifying: the smoke check does not answer.
    await waitRelease(name, 'Verifying', (r) => r.phase === 'Verifying');
    await restart();
    smokeMode = 'pass';
    await restart();
    // AwaitingPromotion: killed while waiting, promoted while no operator runs.
    await waitRelease(name, 'AwaitingPromotion', (r) => r.phase === 'AwaitingPromotion');
    await kill();
    await annotate(name, 'kyc.dev/promote');
    await lead();
    // Switching: the quota holds the second gateway replica of the preview back.
    await waitRelease(name, 'Switching', (r) => r.phase === 'Switching');
    await restart();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await release(name)).phase).toBe('Switching');
    expect(await selectors(name)).toEqual(COMPONENTS.map(() => 'blue'));
    await kill();
    await setQuota(undefined);
    await lead();
    // ScalingDown: killed during the window.
    await waitRelease(name, 'ScalingDown on green', (r) => r.phase === 'ScalingDown' && r.activeColor === 'green');
    expect(await selectors(name)).toEqual(COMPONENTS.map(() => 'green'));
    expect(await replicas(name, 'green')).toEqual([2, 1, 1, 1, 1, 1]);
    await restart();
    const done = await waitRelease(name, 'Idle on green at 0.2.0', idleAt('0.2.0', 'green'), 90_000);
    expect(done.status?.release?.previousColor).toBeUndefined();
    await eventually('blue at zero replicas', async () => (await replicas(name, 'blue')).every((n) => n === 0));
    expect(await selectors(name)).toEqual(COMPONENTS.map(() => 'green'));
    const all = await reasons(name);
    expect(all.filter((r) => r === 'Switched')).toHaveLength(1);
    await client.delete(PLATFORM, namespace, name);
  }, 600_000);
});
