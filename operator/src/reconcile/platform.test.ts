import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { renderPlatform } from '../render/index.js';
import { ApiError, type KubeResource, type ResourceType } from '../runtime/kube.js';
import { TRANSITION_REPEAT_MS } from '../runtime/events.js';
import { conditionOf } from './status.js';
import type { PodHealth } from './degradation.js';
import type { HealthReader } from './pod-health.js';
import {
  DEPLOYMENT,
  deploymentsRollOut,
  NAMESPACE,
  startTestReconciler,
  type TestReconciler,
  type TestReconcilerOptions,
} from './testing/fakes.js';
import { OWNED_TYPES, PLATFORM, typeOf } from './resources.js';
import type { FakeKube, FakeWrite } from '../runtime/testing/fake-kube.js';
import type { RolloutPass, RolloutStrategy } from './rollout.js';

const POD: ResourceType = { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true };

const running: TestReconciler[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.stop()));
});

async function start(options: TestReconcilerOptions = {}): Promise<TestReconciler> {
  const t = await startTestReconciler(options);
  running.push(t);
  return t;
}

const objectWrites = (writes: readonly FakeWrite[]): string[] =>
  writes.filter((w) => w.verb === 'apply' && !w.subresource).map((w) => `${w.kind} ${w.name}`);
const statusWrites = (writes: readonly FakeWrite[]): FakeWrite[] => writes.filter((w) => w.subresource === 'status');
/** A kyc pod of `platform` as its Deployment's controller makes it: the reconciler finds pods by these labels. */
const kycPod = (platform: string): KubeResource => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: `${platform}-kyc-1`,
    namespace: NAMESPACE,
    labels: { 'app.kubernetes.io/instance': platform, 'app.kubernetes.io/name': 'kyc-platform', 'app.kubernetes.io/component': 'kyc' },
  },
});
const names = (objects: readonly KubeResource[]): string[] => objects.map((o) => `${o.kind} ${o.metadata.name}`);

describe('PlatformReconciler', () => {
  it('when a platform is new, then the first pass creates every rendered object, writes the status once and looks again soon', async () => {
    const t = await start();
    const key = await t.createPlatform();

    const result = await t.reconciler.reconcile(key);

    const platform = t.platform();
    if (!platform) throw new Error('the platform is gone');
    expect(objectWrites(t.api.writes).sort()).toEqual(names(renderPlatform(platform)).sort());
    // ServiceAccounts and the ConfigMap go first: the Deployments use them.
    const firstDeployment = objectWrites(t.api.writes).findIndex((w) => w.startsWith('Deployment'));
    expect(
      objectWrites(t.api.writes)
        .slice(firstDeployment)
        .some((w) => w.startsWith('ServiceAccount') || w.startsWith('ConfigMap')),
    ).toBe(false);
    expect(statusWrites(t.api.writes)).toHaveLength(1);
    expect(platform.status).toMatchObject({ phase: 'Progressing', readyComponents: '0/6' });
    expect(platform.status?.activeVersion).toBeUndefined();
    expect(t.events.reasons()).toEqual(['Created']);
    expect(result).toEqual({ requeueAfterMs: 5_000 });
  });

  it('when nothing changed since the last pass, then a pass writes nothing and records no Event', async () => {
    const t = await start();
    const key = await t.createPlatform();
    await t.reconciler.reconcile(key);
    deploymentsRollOut(t.api);
    await t.reconciler.reconcile(key);
    expect(t.platform()?.status).toMatchObject({ phase: 'Ready', readyComponents: '6/6', activeVersion: '1.4.2' });
    const writes = t.api.writes.length;
    const events = t.events.recorded.length;

    const result = await t.reconciler.reconcile(key);

    expect(t.api.writes.slice(writes)).toEqual([]);
    expect(t.events.recorded.slice(events)).toEqual([]);
    expect(result).toBeUndefined();
  });

  it('when the platform is gone, then a pass writes nothing', async () => {
    const t = await start();
    const key = await t.createPlatform();
    await t.reconciler.reconcile(key);
    await t.api.delete(PLATFORM, NAMESPACE, 'acme');
    const writes = t.api.writes.length;

    await expect(t.reconciler.reconcile(key)).resolves.toBeUndefined();

    // Owner references let the garbage collector remove the objects; the operator does not.
    expect(t.api.writes.slice(writes)).toEqual([]);
  });

  it('when an owned object is changed outside the operator, then the next pass puts it back (and only it)', async () => {
    const t = await start();
    const key = await t.createPlatform();
    await t.reconciler.reconcile(key);
    deploymentsRollOut(t.api);
    await t.reconciler.reconcile(key);
    const writes = t.api.writes.length;
    await t.api.mergePatch(typeOf({ apiVersion: 'v1', kind: 'ConfigMap' }), NAMESPACE, 'acme-config', { data: { components: 'gateway' } });

    await t.reconciler.reconcile(key);

    expect(objectWrites(t.api.writes.slice(writes))).toEqual(['ConfigMap acme-config']);
    expect(t.events.recorded.at(-1)).toMatchObject({ type: 'Warning', reason: 'Restored' });
  });

  it('after a restart (no records, the caches compacted), the first pass reads the objects a kind at a time, writes none of the clean ones and puts back one edited meanwhile', async () => {
    const t = await start({ compact: true });
    const key = await t.createPlatform();
    await t.reconciler.reconcile(key);
    deploymentsRollOut(t.api);
    await t.reconciler.reconcile(key);
    // While no operator runs, someone edits a field the operator sets on one of the six Deployments.
    await t.api.mergePatch(DEPLOYMENT, NAMESPACE, 'acme-kyc', { spec: { revisionHistoryLimit: 50 } });
    const writes = t.api.writes.length;
    const reads = t.api.reads.length;

    const restarted = t.restarted();
    await restarted.reconcile(key);

    expect(objectWrites(t.api.writes.slice(writes))).toEqual(['Deployment acme-kyc']);
    expect(
      t.api.peek<KubeResource & { spec: { revisionHistoryLimit: number } }>(DEPLOYMENT, NAMESPACE, 'acme-kyc')?.spec.revisionHistoryLimit,
    ).toBe(5);
    // A list for each owned kind with several objects, a GET for the one ConfigMap: not one GET an object.
    const owned = new Set(OWNED_TYPES.map((type) => type.kind));
    const ownedReads = t.api.reads
      .slice(reads)
      .filter((r) => owned.has(r.kind))
      .map((r) => `${r.verb} ${r.kind}`)
      .sort();
    expect(ownedReads).toEqual([
      'get ConfigMap',
      'list Deployment',
      'list NetworkPolicy',
      'list PodDisruptionBudget',
      'list Service',
      'list ServiceAccount',
    ]);

    // Known from here on: the next pass reads nothing of them and writes nothing.
    const after = t.api.reads.length;
    const writesAfter = t.api.writes.length;
    await restarted.reconcile(key);
    expect(t.api.reads.slice(after).filter((r) => owned.has(r.kind))).toEqual([]);
    expect(objectWrites(t.api.writes.slice(writesAfter))).toEqual([]);
  });

  describe('a pass follows the rollout strategy', () => {
    /** A strategy that counts only kyc, wants its Service applied first, adds to the status and says when that Service and the pass were done. */
    function scripted(log: string[], api: FakeKube): RolloutStrategy {
      const pass: RolloutPass = {
        renderStamp: 'step-1',
        requeueAfterMs: 60_000,
        render: (base) => {
          log.push('render');
          return base.filter((o) => !(o.kind === 'Deployment' && o.metadata.name === 'acme-analytics'));
        },
        firstInPass: (desired) => desired.filter((o) => o.kind === 'Service' && o.metadata.name === 'acme-kyc'),
        firstApplied: () => log.push(`first applied after ${objectWrites(api.writes).length} object write(s)`),
        components: (_desired, live) => [{ name: 'kyc', deployment: live('acme-kyc') }],
        statusView: (platform) => platform,
        status: (computed) => ({ ...computed, activeVersion: 'from-the-strategy' }),
        finish: () => {
          log.push(`finish after ${statusWrites(api.writes).length} status write(s)`);
          return Promise.resolve();
        },
      };
      return {
        plan: () => {
          log.push('plan');
          return pass;
        },
      };
    }

    it('then its render, what goes first, the components that count, its status and its wait are the pass', async () => {
      const log: string[] = [];
      const t = await start({ rollout: ({ api }) => scripted(log, api) });
      const key = await t.createPlatform();

      await t.reconciler.reconcile(key);

      expect(objectWrites(t.api.writes)[0]).toBe('Service acme-kyc');
      expect(objectWrites(t.api.writes)).not.toContain('Deployment acme-analytics');
      expect(t.platform()?.status).toMatchObject({ readyComponents: '0/1', activeVersion: 'from-the-strategy' });
      // Told once the Service that goes first is written, before anything else is.
      expect(log).toEqual(['plan', 'render', 'first applied after 1 object write(s)', 'finish after 1 status write(s)']);

      // Ready, the strategy's timed step is the requeue. The same stamp is rendered again (renders are
      // not kept: memory) but not hashed again (the costly part).
      deploymentsRollOut(t.api);
      const written = objectWrites(t.api.writes).length;
      const hashed = jest.spyOn(t.applier, 'specHash');
      const result = await t.reconciler.reconcile(key);
      expect(t.platform()?.status).toMatchObject({ phase: 'Ready', readyComponents: '1/1' });
      expect(result).toEqual({ requeueAfterMs: 60_000 });
      expect(log.filter((l) => l === 'render')).toHaveLength(2);
      expect(hashed).not.toHaveBeenCalled();
      expect(objectWrites(t.api.writes)).toHaveLength(written);
    });

    it('then a first object that fails to apply is not reported as applied (a half-applied switch has not moved traffic)', async () => {
      const log: string[] = [];
      const t = await start({ rollout: ({ api }) => scripted(log, api) });
      const key = await t.createPlatform();
      t.api.failNext('apply', new ApiError('the server is shutting down', 503), { kind: 'Service', name: 'acme-kyc' });

      await expect(t.reconciler.reconcile(key)).rejects.toThrow('apply Service kyc-test/acme-kyc');

      expect(log.filter((l) => l.startsWith('first applied'))).toEqual([]);
      expect(objectWrites(t.api.writes)).toContain('Deployment acme-kyc');
    });

    it('then a plan the strategy rejects is an InvalidSpec in status, with nothing applied and no retry', async () => {
      const t = await start({
        rollout: () => ({
          plan: () => {
            throw new Error('spec.release: previewReplicas must not exceed the active count');
          },
        }),
      });
      const key = await t.createPlatform();

      const result = await t.reconciler.reconcile(key);

      expect(objectWrites(t.api.writes)).toEqual([]);
      expect(conditionOf(t.platform()?.status, 'Degraded')).toMatchObject({
        status: 'True',
        reason: 'InvalidSpec',
        message: expect.stringContaining('previewReplicas'),
      });
      // (Twice: the decision and the Degraded transition; the EventRecorder folds the same Event into one.)
      expect(new Set(t.events.recorded.map((e) => `${e.type} ${e.reason} ${e.message}`))).toEqual(
        new Set(['Warning InvalidSpec spec.release: previewReplicas must not exceed the active count']),
      );
      expect(result).toBeUndefined();
    });
  });

  describe('when a write fails', () => {
    it('then the other objects are applied, the failure is the Degraded condition and an Event, and the pass throws for a retry', async () => {
      const t = await start();
      const key = await t.createPlatform();
      t.api.failNext('apply', new ApiError('admission webhook "quota" denied the request', 403), { kind: 'Deployment', name: 'acme-kyc' });

      await expect(t.reconciler.reconcile(key)).rejects.toThrow('apply Deployment kyc-test/acme-kyc');

      expect(objectWrites(t.api.writes)).toContain('Deployment acme-gateway');
      expect(t.api.peek(DEPLOYMENT, NAMESPACE, 'acme-kyc')).toBeUndefined();
      const status = t.platform()?.status;
      expect(status?.phase).toBe('Degraded');
      expect(conditionOf(status, 'Degraded')).toMatchObject({
        status: 'True',
        reason: 'ApplyFailed',
        message: expect.stringContaining('denied the request'),
      });
      expect(t.events.reasons()).toContain('ApplyFailed');

      // The retry creates what is missing and clears the condition.
      await t.reconciler.reconcile(key);
      expect(t.api.peek(DEPLOYMENT, NAMESPACE, 'acme-kyc')).toBeDefined();
      expect(conditionOf(t.platform()?.status, 'Degraded')).toMatchObject({ status: 'False' });
    });

    it('then a delete that fails is the Degraded condition too, and the retry deletes', async () => {
      const t = await start();
      const key = await t.createPlatform();
      await t.reconciler.reconcile(key);
      await t.api.mergePatch(PLATFORM, NAMESPACE, 'acme', { spec: { components: { analytics: { enabled: false } } } });
      t.api.failNext('delete', new ApiError('etcdserver: request timed out', 500), { kind: 'Deployment', name: 'acme-analytics' });

      await expect(t.reconciler.reconcile(key)).rejects.toThrow('delete Deployment acme-analytics');

      expect(conditionOf(t.platform()?.status, 'Degraded')).toMatchObject({
        status: 'True',
        reason: 'DeleteFailed',
        message: expect.stringContaining('request timed out'),
      });
      await t.reconciler.reconcile(key);
      expect(t.api.peek(DEPLOYMENT, NAMESPACE, 'acme-analytics')).toBeUndefined();
      expect(t.platform()?.status?.readyComponents).toBe('0/5');
    });

    it('then a production platform whose Secret is missing is refused in status, with nothing rolled out', async () => {
      const t = await start();
      const key = await t.createPlatform({ profile: 'production' });

      const result = await t.reconciler.reconcile(key);

      expect(objectWrites(t.api.writes)).toEqual([]);
      expect(t.platform()?.status).toMatchObject({ phase: 'Failed' });
      expect(conditionOf(t.platform()?.status, 'SecretsVerified')).toMatchObject({ status: 'False', reason: 'InsecureSecrets' });
      expect(t.events.reasons()).toEqual(['InsecureSecrets']);
      expect(result).toEqual({ requeueAfterMs: 5_000 });
    });
  });
  it('when the backup CronJob reports a new success, then status.backup carries its Job report (key, size) once, with an Event, and the pass comes back before BackupStale', async () => {
    const t = await start();
    t.clock.now = new Date('2026-12-05T12:00:00Z');
    const key = await t.createPlatform({
      backup: { schedule: '30 2 * * *', bucket: 'kyc-backups', encryptionKeySecretRef: { name: 'kyc-backup' } },
    });
    await t.reconciler.reconcile(key);
    const report = {
      id: '2026-12-05T02-30-00-123Z',
      bucket: 'kyc-backups',
      key: 'acme/2026-12-05T02-30-00-123Z/data.kycbak',
      bytes: 4096,
      tables: 21,
      rows: 99,
    };
    const cronJob = typeOf({ apiVersion: 'batch/v1', kind: 'CronJob' });
    t.api.setStatus(cronJob, NAMESPACE, 'acme-backup', {
      lastScheduleTime: '2026-12-05T02:30:00Z',
      lastSuccessfulTime: '2026-12-05T02:31:00Z',
    });
    await t.api.create(POD, NAMESPACE, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'acme-backup-29420130-x',
        namespace: NAMESPACE,
        labels: { 'app.kubernetes.io/instance': 'acme', 'app.kubernetes.io/component': 'backup' },
      },
      status: {
        phase: 'Succeeded',
        containerStatuses: [
          {
            name: 'backup',
            state: { terminated: { exitCode: 0, finishedAt: '2026-12-05T02:31:00Z', message: JSON.stringify({ backup: report }) } },
          },
        ],
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 50)); // the informer sees the CronJob's status

    const result = await t.reconciler.reconcile(key);

    expect(t.platform()?.status?.backup).toEqual({ lastSuccessfulTime: '2026-12-05T02:31:00Z', ...report });
    expect(conditionOf(t.platform()?.status, 'BackupHealthy')).toMatchObject({ status: 'True', reason: 'BackupSucceeded' });
    expect(t.events.recorded.map((e) => e.message)).toContain(`backup ${report.id}: 4096 bytes at s3://kyc-backups/${report.key}`);
    // Progressing: the short requeue wins; the stale re-check is at most 26 h - 9.5 h away.
    expect(result?.requeueAfterMs).toBeLessThanOrEqual(16.5 * 3_600_000 + 1_000);
    const lists = t.api.writes.length;
    await t.reconciler.reconcile(key);
    expect(t.events.recorded.filter((e) => e.reason === 'BackupSucceeded')).toHaveLength(1);
    expect(t.api.writes.slice(lists).filter((w) => w.subresource === 'status')).toEqual([]);
  });

  it("when a new platform's pods exist before its first pass ends, then they are not marked: they mount the settings the pass created", async () => {
    const t = await start();
    const key = await t.createPlatform();
    // As if the controllers made a pod while the first pass was still applying the rest.
    await t.api.create(POD, NAMESPACE, kycPod('acme'));
    const podPatches = () => t.api.writes.filter((w) => w.kind === 'Pod' && w.verb === 'patch');

    await t.reconciler.reconcile(key);

    expect(objectWrites(t.api.writes)).toContain('ConfigMap acme-config');
    expect(podPatches()).toEqual([]);
    // Announced all the same: the next passes have nothing to tell the pods either.
    expect(t.platform()?.status?.featureFlags?.['new-applications']).toBe(true);
    deploymentsRollOut(t.api);
    await t.reconciler.reconcile(key);
    expect(podPatches()).toEqual([]);
  });

  it('when a feature flag is switched, then the running pods are marked with the new settings digest, status and an Event say so, and no Deployment changes', async () => {
    const t = await start();
    const key = await t.createPlatform();
    await t.reconciler.reconcile(key);
    deploymentsRollOut(t.api);
    await t.reconciler.reconcile(key);
    await t.api.create(POD, NAMESPACE, kycPod('acme'));
    await t.api.create(POD, NAMESPACE, kycPod('other'));
    expect(t.platform()?.status?.featureFlags?.['new-applications']).toBe(true);
    const platform = t.platform();
    if (!platform) throw new Error('the platform is gone');
    await t.api.apply(PLATFORM, { ...platform, spec: { ...platform.spec, featureFlags: { 'new-applications': false } } }, 'test');
    await new Promise((resolve) => setTimeout(resolve, 50)); // the informer sees the new spec
    const writes = t.api.writes.length;

    await t.reconciler.reconcile(key);

    const written = t.api.writes.slice(writes);
    expect(written.filter((w) => w.kind === 'Deployment')).toEqual([]);
    expect(written.filter((w) => w.kind === 'Pod')).toEqual([{ verb: 'patch', kind: 'Pod', name: 'acme-kyc-1' }]);
    expect(t.api.peek<KubeResource>(POD, NAMESPACE, 'acme-kyc-1')?.metadata.annotations?.['kyc.dev/live-settings']).toMatch(
      /^[0-9a-f]{16}$/,
    );
    expect(t.platform()?.status?.featureFlags?.['new-applications']).toBe(false);
    expect(t.events.recorded.map((e) => e.message)).toContainEqual('feature flags changed: new-applications off (1 pods told)');

    const after = t.api.writes.length;
    await t.reconciler.reconcile(key);
    expect(t.api.writes.slice(after)).toEqual([]);
  });

  describe('degradation', () => {
    const reader = (answer: () => PodHealth[] | undefined): HealthReader => ({
      nextRoundInMs: () => 15_000,
      observe: () => Promise.resolve(answer()),
      forget: () => undefined,
    });
    const healthy: PodHealth = { component: 'gateway', pod: 'acme-gateway-1', checks: { database: 'OK', cache: 'OK', externalAPIs: 'OK' } };
    const noDatabase = (pod: string): PodHealth => ({
      component: 'kyc',
      pod,
      checks: { database: 'ERROR', cache: 'OK', externalAPIs: 'OK' },
    });

    it('when the kyc pods say postgres is down, then Degraded names it, the components and what is refused, with an Event; back to normal when they recover', async () => {
      let pods: PodHealth[] = [healthy];
      const t = await start({ health: reader(() => pods) });
      const key = await t.createPlatform();
      await t.reconciler.reconcile(key);
      deploymentsRollOut(t.api);
      const ready = await t.reconciler.reconcile(key);
      expect(t.platform()?.status?.phase).toBe('Ready');
      expect(ready).toEqual({ requeueAfterMs: 15_000 }); // the next health round

      pods = [healthy, noDatabase('acme-kyc-1'), noDatabase('acme-kyc-2')];
      await t.reconciler.reconcile(key);

      const degraded = conditionOf(t.platform()?.status, 'Degraded');
      expect([t.platform()?.status?.phase, degraded?.status, degraded?.reason]).toEqual(['Degraded', 'True', 'DependencyUnavailable']);
      expect(degraded?.message).toMatch(/^postgres unreachable from kyc \(2\/2 pods\): writes refused/);
      expect(t.events.recorded.filter((e) => e.reason === 'DependencyUnavailable')).toHaveLength(1);
      // A change of state: a second outage minutes later is said again (runtime/events.ts).
      expect(t.events.repeatAfter.get('DependencyUnavailable')).toBe(TRANSITION_REPEAT_MS);

      pods = [healthy, { ...noDatabase('acme-kyc-1'), checks: { database: 'OK', cache: 'OK', externalAPIs: 'OK' } }];
      await t.reconciler.reconcile(key);
      expect([t.platform()?.status?.phase, conditionOf(t.platform()?.status, 'Degraded')?.status]).toEqual(['Ready', 'False']);
      expect(t.events.recorded.filter((e) => e.reason === 'DependencyRecovered').map((e) => e.message)).toEqual([
        expect.stringMatching(/^recovered: postgres unreachable from kyc \(2\/2 pods\)/),
      ]);
      expect(t.events.repeatAfter.get('DependencyRecovered')).toBe(TRANSITION_REPEAT_MS);
    });

    it('when a pass reads no health (between rounds), then the last dependency verdict stands', async () => {
      let pods: PodHealth[] | undefined = [noDatabase('acme-kyc-1')];
      const t = await start({ health: reader(() => pods) });
      const key = await t.createPlatform();
      await t.reconciler.reconcile(key);
      deploymentsRollOut(t.api);
      await t.reconciler.reconcile(key);
      pods = undefined;
      await t.reconciler.reconcile(key);
      expect(conditionOf(t.platform()?.status, 'Degraded')?.reason).toBe('DependencyUnavailable');
    });

    it('when an admin forces ReadOnly, then the pods are told, status shows the mode, Degraded says ReadOnlyMode and the phase stays Ready; Normal clears it', async () => {
      const t = await start();
      const key = await t.createPlatform();
      await t.reconciler.reconcile(key);
      deploymentsRollOut(t.api);
      await t.reconciler.reconcile(key);
      expect(t.platform()?.status?.degradationMode).toBe('Normal');
      await t.api.create(POD, NAMESPACE, kycPod('acme'));
      const setMode = async (mode: 'Normal' | 'ReadOnly'): Promise<void> => {
        const platform = t.platform();
        if (!platform) throw new Error('the platform is gone');
        await t.api.apply(PLATFORM, { ...platform, spec: { ...platform.spec, degradation: { mode } } }, 'test');
        await new Promise((resolve) => setTimeout(resolve, 50)); // the informer sees the new spec
        await t.reconciler.reconcile(key);
      };

      await setMode('ReadOnly');

      const status = t.platform()?.status;
      expect([status?.degradationMode, status?.phase, conditionOf(status, 'Degraded')?.reason]).toEqual([
        'ReadOnly',
        'Ready',
        'ReadOnlyMode',
      ]);
      expect(t.api.peek<KubeResource>(POD, NAMESPACE, 'acme-kyc-1')?.metadata.annotations?.['kyc.dev/live-settings']).toMatch(
        /^[0-9a-f]{16}$/,
      );
      expect(t.events.recorded.map((e) => `${e.reason}: ${e.message}`)).toEqual(
        expect.arrayContaining([
          'ModeChanged: degradation mode ReadOnly (was Normal): 1 pods told',
          expect.stringMatching(/^ReadOnlyMode: spec.degradation.mode is ReadOnly/),
        ]),
      );

      await setMode('Normal');
      expect([t.platform()?.status?.degradationMode, conditionOf(t.platform()?.status, 'Degraded')?.status]).toEqual(['Normal', 'False']);
    });
  });
});
