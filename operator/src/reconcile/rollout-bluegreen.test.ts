import { afterEach, describe, expect, it } from '@jest/globals';
import { COMPONENTS } from '../api/components.js';
import type { KycPlatformStatus } from '../api/types.js';
import { ReleaseController } from '../release/controller.js';
import { SmokeRunner } from '../release/smoke.js';
import type { ResourceType } from '../runtime/kube.js';
import type { FakeWrite } from '../runtime/testing/fake-kube.js';
import { DEPLOYMENT, deploymentsRollOut, NAMESPACE, startTestReconciler, type TestReconciler } from './testing/fakes.js';
import { PLATFORM } from './resources.js';
import { blueGreenRollout } from './rollout-bluegreen.js';

const POD: ResourceType = { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true };
const running: TestReconciler[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.stop()));
});

/** A reconciler releasing blue-green, with a smoke check that passes at once. */
async function start(): Promise<TestReconciler> {
  const t = await startTestReconciler({
    rollout: ({ api, owned, events, logger }) =>
      blueGreenRollout(
        new ReleaseController({
          client: api.asClient(),
          platformType: PLATFORM,
          events,
          logger,
          smoke: new SmokeRunner((request) => Promise.resolve({ ok: true, version: request.version, message: 'fake smoke check passed' })),
          deployments: () => owned.get('deployments'),
          refusalCheckMs: 0,
        }),
      ),
  });
  running.push(t);
  return t;
}

/**
 * Reconciles, pass after pass, with every Deployment rolled out in between (and the smoke check's
 * round finished), until a pass leaves the status where `until` says; that pass's writes.
 */
async function passesUntil(
  t: TestReconciler,
  key: string,
  until: (status: KycPlatformStatus | undefined) => boolean,
): Promise<FakeWrite[]> {
  for (let pass = 0; pass < 12; pass += 1) {
    const mark = t.api.writes.length;
    await t.reconciler.reconcile(key);
    if (until(t.platform()?.status)) return t.api.writes.slice(mark);
    deploymentsRollOut(t.api);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(`the status never got there: ${JSON.stringify(t.platform()?.status?.release)}`);
}

const objectWrites = (writes: readonly FakeWrite[]): string[] =>
  writes.filter((w) => w.verb === 'apply' && !w.subresource).map((w) => `${w.kind} ${w.name}`);

describe('blueGreenRollout in a reconcile pass', () => {
  it('when a platform releases blue-green, then its Deployments are the colours, and the pass that switches applies the active Services before anything else', async () => {
    const t = await start();
    const key = await t.createPlatform({ release: { scaleDownDelaySeconds: 30 } });

    await passesUntil(t, key, (s) => s?.phase === 'Ready' && s.release?.phase === 'Idle');
    expect(t.api.peekAll(DEPLOYMENT, NAMESPACE).map((d) => d.metadata.name)).toEqual(COMPONENTS.map((c) => `acme-${c}-blue`).sort());
    expect(t.platform()?.status).toMatchObject({ activeColor: 'blue', activeVersion: '1.4.2', readyComponents: '6/6' });

    const platform = t.platform();
    if (!platform) throw new Error('the platform is gone');
    await t.api.apply(PLATFORM, { ...platform, spec: { ...platform.spec, version: '1.5.0' } }, 'test');
    const switching = await passesUntil(t, key, (s) => s?.activeColor === 'green');

    const active = COMPONENTS.map((c) => `Service acme-${c}`);
    expect(objectWrites(switching).slice(0, active.length).sort()).toEqual([...active].sort());
    expect(t.platform()?.status).toMatchObject({ activeVersion: '1.5.0', release: { phase: 'ScalingDown' } });
    expect(t.events.reasons()).toContain('Switched');
    // The Event times the switch twice from the previews ready: to the active Services applied (when traffic
    // moved), and to the end of the pass (every other object and the status), which comes later.
    const message = t.events.recorded.find((e) => e.reason === 'Switched')?.message ?? '';
    const timings =
      /switch pass \d+ ms, (\d+) ms after every preview was ready; the active Services switched (\d+) ms after every preview was ready/.exec(
        message,
      );
    expect(timings).not.toBeNull();
    expect(Number(timings?.[2])).toBeLessThanOrEqual(Number(timings?.[1]));
  });

  it('when a preview pod refuses a migration, then the release is aborted with its reason while the active colour keeps serving', async () => {
    const t = await start();
    const key = await t.createPlatform({ release: { scaleDownDelaySeconds: 30 } });
    await passesUntil(t, key, (s) => s?.phase === 'Ready' && s.release?.phase === 'Idle');
    const platform = t.platform();
    if (!platform) throw new Error('the platform is gone');
    await t.api.apply(PLATFORM, { ...platform, spec: { ...platform.spec, version: '1.5.0' } }, 'test');
    await t.reconciler.reconcile(key);
    expect(t.platform()?.status?.release).toMatchObject({ phase: 'Deploying', previewColor: 'green' });

    // The preview kyc pod crashed on its migration check (workloads/main.ts writes the reason as its termination message).
    const reason = 'migration kyc 5 (drop findings) contracts the schema while the active version may still use it: DROP COLUMN';
    await t.api.create(POD, NAMESPACE, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'acme-kyc-green-abc',
        namespace: NAMESPACE,
        labels: { 'app.kubernetes.io/instance': 'acme', 'kyc.dev/color': 'green', 'app.kubernetes.io/version': '1.5.0' },
      },
      status: { containerStatuses: [{ lastState: { terminated: { message: `start-up failed: Error: refused: ${reason}` } } }] },
    });
    await t.reconciler.reconcile(key);
    await t.reconciler.reconcile(key);

    expect(t.platform()?.status).toMatchObject({
      activeColor: 'blue',
      activeVersion: '1.4.2',
      release: { phase: 'Aborted', failureReason: 'MigrationRefused', message: expect.stringContaining(reason) },
    });
    expect(t.events.reasons()).toContain('MigrationRefused');
  });

  it('when a platform has no spec.release, then it rolls in place under the same strategy', async () => {
    const t = await start();
    const key = await t.createPlatform();

    await passesUntil(t, key, (s) => s?.phase === 'Ready');

    expect(t.api.peekAll(DEPLOYMENT, NAMESPACE).map((d) => d.metadata.name)).toEqual(COMPONENTS.map((c) => `acme-${c}`).sort());
    expect(t.platform()?.status?.release).toBeUndefined();
  });
});
