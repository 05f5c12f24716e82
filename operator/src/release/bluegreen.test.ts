import { describe, expect, it } from '@jest/globals';
import { COMPONENTS, type ComponentName } from '../api/components.js';
import type { KycPlatformSpec, ReleaseStatus } from '../api/types.js';
import { platform } from '../api/fixtures.js';
import { stepRelease, type ReleaseInput } from './bluegreen.js';
import { VERSION_ANNOTATION, type Color, type ObservedDeployment, type ObservedDeployments, type SmokeResult } from './model.js';

const T0 = new Date('2026-11-26T12:00:00Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

/** development profile: fixed replicas (1), no HPA; releases with the defaults. */
const spec = (version: string, release: KycPlatformSpec['release'] = {}): KycPlatformSpec => ({
  ...platform().spec,
  profile: 'development',
  version,
  release,
});

function ready(version: string, replicas = 1): ObservedDeployment {
  return {
    metadata: { generation: 2, annotations: { [VERSION_ANNOTATION]: version } },
    spec: { replicas },
    status: { observedGeneration: 2, replicas, readyReplicas: replicas, updatedReplicas: replicas, availableReplicas: replicas },
  };
}

function pending(version: string, replicas = 1): ObservedDeployment {
  return {
    metadata: { generation: 2, annotations: { [VERSION_ANNOTATION]: version } },
    spec: { replicas },
    status: { observedGeneration: 2, replicas, updatedReplicas: replicas },
  };
}

function all(make: (c: ComponentName) => ObservedDeployment): Partial<Record<ComponentName, ObservedDeployment>> {
  return Object.fromEntries(COMPONENTS.map((c) => [c, make(c)]));
}

function observed(colors: Partial<Record<Color | 'legacy', Partial<Record<ComponentName, ObservedDeployment>>>>): ObservedDeployments {
  return { blue: colors.blue ?? {}, green: colors.green ?? {}, legacy: colors.legacy ?? {} };
}

function input(overrides: Partial<ReleaseInput>): ReleaseInput {
  return {
    spec: spec('1.0.0'),
    annotations: {},
    previous: undefined,
    statusActiveVersion: undefined,
    observed: observed({}),
    smoke: undefined,
    now: T0,
    ...overrides,
  };
}

const idleBlue: ReleaseStatus = { phase: 'Idle', activeColor: 'blue', activeVersion: '1.0.0' };
/** Green 2.0.0 active, blue 1.0.0 kept until 12:00:30 for a rollback. */
const scalingDown: ReleaseStatus = {
  phase: 'ScalingDown',
  activeColor: 'green',
  activeVersion: '2.0.0',
  previousColor: 'blue',
  previousVersion: '1.0.0',
  scaleDownAt: '2026-11-26T12:00:30Z',
};
const ok: SmokeResult = { ok: true, version: '2.0.0', message: 'fine' };

/**
 * Drives the machine through a release of 2.0.0 from blue 1.0.0 to Switching: the smoke check passes while
 * a preview pod is not Available any more, so the switch waits in Switching.
 */
function toSwitching(extra: KycPlatformSpec['release'] = {}): ReleaseStatus {
  let s = stepRelease(
    input({ spec: spec('2.0.0', extra), previous: idleBlue, observed: observed({ blue: all(() => ready('1.0.0')) }) }),
  ).status;
  s = stepRelease(
    input({
      spec: spec('2.0.0', extra),
      previous: s,
      observed: observed({ blue: all(() => ready('1.0.0')), green: all(() => ready('2.0.0')) }),
      now: at(10),
    }),
  ).status;
  s = stepRelease(
    input({
      spec: spec('2.0.0', extra),
      previous: s,
      observed: observed({ blue: all(() => ready('1.0.0')), green: all(() => pending('2.0.0')) }),
      smoke: ok,
      now: at(11),
    }),
  ).status;
  return s;
}

describe('stepRelease', () => {
  it('when a new platform has no release state and no Deployments, then blue serves spec.version at once', () => {
    const step = stepRelease(input({}));
    expect(step.status).toMatchObject({ phase: 'Idle', activeColor: 'blue', activeVersion: '1.0.0' });
    expect(step.plan.active).toBe('blue');
    expect(step.plan.colors.blue).toMatchObject({ version: '1.0.0', create: true });
    expect(step.plan.colors.green).toMatchObject({ create: false });
  });

  it('when a platform runs the single Deployment per component, then blue comes up beside it and the active Services keep selecting both', () => {
    const step = stepRelease(input({ statusActiveVersion: '1.0.0', observed: observed({ legacy: all(() => ready('1.0.0')) }) }));
    expect(step.status).toMatchObject({ phase: 'Deploying', previewColor: 'blue', previewVersion: '1.0.0' });
    expect(step.status.activeColor).toBeUndefined();
    expect(step.plan).toMatchObject({ active: 'legacy', legacy: { version: '1.0.0' }, preview: 'blue' });
    expect(step.events.map((e) => e.reason)).toEqual(['MigrationStarted']);
  });

  it('when the migration switches, then the old Deployments stay for the delay and are dropped from the plan after it', () => {
    const legacy = all(() => ready('1.0.0'));
    const base = { statusActiveVersion: '1.0.0', spec: spec('1.0.0', { smokeCheck: { enabled: false } }) };
    const s = stepRelease(input({ ...base, observed: observed({ legacy }) })).status;
    // Blue Available at the active count, no smoke check: the pass that sees it switches.
    const switched = stepRelease(
      input({ ...base, previous: s, observed: observed({ legacy, blue: all(() => ready('1.0.0')) }), now: at(5) }),
    );
    expect(switched.events.map((e) => e.reason)).toEqual(['PreviewReady', 'Switched']);
    expect(switched.status).toMatchObject({ phase: 'ScalingDown', activeColor: 'blue', previousColor: 'legacy' });
    expect(switched.plan).toMatchObject({ active: 'blue', legacy: { version: '1.0.0' } });
    const done = stepRelease(
      input({ ...base, previous: switched.status, observed: observed({ legacy, blue: all(() => ready('1.0.0')) }), now: at(40) }),
    );
    expect(done.status.phase).toBe('Idle');
    expect(done.plan.legacy).toBeUndefined();
  });

  it('when spec.version changes, then the idle colour comes up at the new version with the active replica count', () => {
    const step = stepRelease(input({ spec: spec('2.0.0'), previous: idleBlue, observed: observed({ blue: all(() => ready('1.0.0')) }) }));
    expect(step.status).toMatchObject({
      phase: 'Deploying',
      activeColor: 'blue',
      previewColor: 'green',
      previewVersion: '2.0.0',
      startedAt: '2026-11-26T12:00:00Z',
    });
    expect(step.plan.colors.green).toEqual({ version: '2.0.0', create: true, replicas: Object.fromEntries(COMPONENTS.map((c) => [c, 1])) });
    expect(step.plan.colors.blue).toMatchObject({ version: '1.0.0', replicas: {} });
    expect(step.plan.active).toBe('blue');
  });

  it('when previewReplicas is set, then the preview runs that many until the switch, and the active count at the switch', () => {
    const release = { previewReplicas: 2, smokeCheck: { enabled: false } };
    const deploying = stepRelease(input({ spec: spec('2.0.0', release), previous: idleBlue }));
    expect(deploying.plan.colors.green?.replicas.kyc).toBe(2);
    const s = stepRelease(
      input({
        spec: spec('2.0.0', release),
        previous: deploying.status,
        observed: observed({ green: all(() => ready('2.0.0', 2)) }),
        now: at(5),
      }),
    );
    expect(s.status.phase).toBe('Switching');
    expect(s.switched).toBe(false);
    expect(s.plan.colors.green?.replicas.kyc).toBe(1);
    // At the active count the next pass switches.
    const switched = stepRelease(
      input({ spec: spec('2.0.0', release), previous: s.status, observed: observed({ green: all(() => ready('2.0.0')) }), now: at(8) }),
    );
    expect(switched.status).toMatchObject({ phase: 'ScalingDown', activeColor: 'green' });
  });

  it('when the preview is Available, then the smoke check runs, and the pass that takes its result switches', () => {
    const green = all(() => ready('2.0.0'));
    const first = stepRelease(input({ spec: spec('2.0.0'), previous: idleBlue }));
    const verifying = stepRelease(input({ spec: spec('2.0.0'), previous: first.status, observed: observed({ green }), now: at(10) }));
    expect(verifying.status).toMatchObject({ phase: 'Verifying', previewReadyAt: '2026-11-26T12:00:10Z' });
    expect(verifying.runSmokeCheck).toBe(true);
    const waiting = stepRelease(input({ spec: spec('2.0.0'), previous: verifying.status, observed: observed({ green }), now: at(11) }));
    expect(waiting.status.phase).toBe('Verifying');
    expect(waiting.runSmokeCheck).toBe(true);
    const switched = stepRelease(
      input({ spec: spec('2.0.0'), previous: verifying.status, observed: observed({ green }), smoke: ok, now: at(13) }),
    );
    expect(switched.switched).toBe(true);
    expect(switched.status).toMatchObject({
      phase: 'ScalingDown',
      activeColor: 'green',
      activeVersion: '2.0.0',
      previousColor: 'blue',
      previousVersion: '1.0.0',
      scaleDownAt: '2026-11-26T12:00:43Z',
    });
    expect(switched.status.previewColor).toBeUndefined();
    expect(switched.plan.active).toBe('green');
    expect(switched.plan.colors.blue).toMatchObject({ version: '1.0.0', replicas: {}, create: true });
    expect(switched.events.map((e) => e.reason)).toEqual(['SmokeCheckPassed', 'Switched']);
    expect(switched.runSmokeCheck).toBe(false);
  });

  it('when the smoke check passes while a preview pod is not Available, then Switching waits and the pass that sees it Available switches', () => {
    const s = toSwitching();
    expect(s).toMatchObject({ phase: 'Switching', phaseStartedAt: '2026-11-26T12:00:11Z', verifiedAt: '2026-11-26T12:00:11Z' });
    const green = all(() => ready('2.0.0'));
    const switched = stepRelease(input({ spec: spec('2.0.0'), previous: s, observed: observed({ green }), now: at(14) }));
    expect(switched.status).toMatchObject({ phase: 'ScalingDown', activeColor: 'green', switchedAt: '2026-11-26T12:00:14Z' });
    expect(switched.events.map((e) => e.reason)).toEqual(['Switched']);
  });

  it('when kyc.dev/promote=true comes and the preview is at the active count, then the same pass switches', () => {
    const awaiting: ReleaseStatus = {
      ...idleBlue,
      phase: 'AwaitingPromotion',
      previewColor: 'green',
      previewVersion: '2.0.0',
      startedAt: '2026-11-26T12:00:00Z',
      verifiedAt: '2026-11-26T12:00:10Z',
    };
    const step = stepRelease(
      input({
        spec: spec('2.0.0', { autoPromote: false }),
        previous: awaiting,
        annotations: { 'kyc.dev/promote': 'true' },
        observed: observed({ blue: all(() => ready('1.0.0')), green: all(() => ready('2.0.0')) }),
        now: at(20),
      }),
    );
    expect(step.events.map((e) => e.reason)).toEqual(['PromotionRequested', 'Switched']);
    expect(step).toMatchObject({ switched: true, clearAnnotations: ['kyc.dev/promote'] });
    expect(step.status).toMatchObject({ phase: 'ScalingDown', activeColor: 'green', previousColor: 'blue' });
  });

  it('when the smoke check fails more than retries times, then the release is aborted and the active colour is untouched', () => {
    const green = all(() => ready('2.0.0'));
    const release = { smokeCheck: { retries: 1 } };
    let s = stepRelease(input({ spec: spec('2.0.0', release), previous: idleBlue })).status;
    s = stepRelease(input({ spec: spec('2.0.0', release), previous: s, observed: observed({ green }) })).status;
    const bad: SmokeResult = { ok: false, version: '2.0.0', message: 'kyc /health: HTTP 503' };
    const once = stepRelease(input({ spec: spec('2.0.0', release), previous: s, observed: observed({ green }), smoke: bad }));
    expect(once.status).toMatchObject({ phase: 'Verifying', smokeCheckFailures: 1 });
    expect(once).toMatchObject({ runSmokeCheck: true, smokeCheckDelayMs: 3_000 });
    const twice = stepRelease(input({ spec: spec('2.0.0', release), previous: once.status, observed: observed({ green }), smoke: bad }));
    expect(twice.status).toMatchObject({
      phase: 'Aborted',
      failureReason: 'SmokeCheckFailed',
      activeColor: 'blue',
      activeVersion: '1.0.0',
    });
    expect(twice.plan.active).toBe('blue');
    expect(twice.plan.colors.green?.replicas.kyc).toBe(0);
  });

  it('when a smoke result is for another version, then it is ignored', () => {
    const s = toSwitching();
    expect(s.phase).toBe('Switching');
    const verifying: ReleaseStatus = { ...s, phase: 'Verifying' };
    const step = stepRelease(
      input({
        spec: spec('2.0.0'),
        previous: verifying,
        observed: observed({ green: all(() => ready('2.0.0')) }),
        smoke: { ...ok, version: '1.9.0' },
      }),
    );
    expect(step.status.phase).toBe('Verifying');
  });

  it('when the preview never becomes Available, then the release is aborted at progressDeadlineSeconds', () => {
    const release = { progressDeadlineSeconds: 60 };
    const started = stepRelease(input({ spec: spec('2.0.0', release), previous: idleBlue })).status;
    const green = all(() => pending('2.0.0'));
    const before = stepRelease(input({ spec: spec('2.0.0', release), previous: started, observed: observed({ green }), now: at(59) }));
    expect(before.status.phase).toBe('Deploying');
    expect(before.requeueAfterMs).toBe(1000);
    const after = stepRelease(input({ spec: spec('2.0.0', release), previous: started, observed: observed({ green }), now: at(60) }));
    expect(after.status).toMatchObject({ phase: 'Aborted', failureReason: 'ProgressDeadlineExceeded', activeColor: 'blue' });
    expect(after.events[0]).toMatchObject({ type: 'Warning', reason: 'ProgressDeadlineExceeded' });
  });

  it('when a preview pod refuses a migration, then the release is aborted at once with its reason, not at the deadline', () => {
    const started = stepRelease(input({ spec: spec('2.0.0'), previous: idleBlue })).status;
    const reason = 'migration kyc 5 (drop findings) contracts the schema while the active version may still use it: DROP COLUMN';
    const step = stepRelease(
      input({
        spec: spec('2.0.0'),
        previous: started,
        observed: observed({ green: all(() => pending('2.0.0')) }),
        previewRefusal: reason,
        now: at(5),
      }),
    );
    expect(step.status).toMatchObject({ phase: 'Aborted', failureReason: 'MigrationRefused', activeColor: 'blue', activeVersion: '1.0.0' });
    expect(step.status.message).toContain(reason);
    expect(step.events[0]).toMatchObject({ type: 'Warning', reason: 'MigrationRefused' });
    expect(step.plan.active).toBe('blue');
  });

  it('when a preview Deployment still runs an older version, then it is not counted as Available', () => {
    const started = stepRelease(input({ spec: spec('2.0.0'), previous: idleBlue })).status;
    const step = stepRelease(input({ spec: spec('2.0.0'), previous: started, observed: observed({ green: all(() => ready('0.9.0')) }) }));
    expect(step.status.phase).toBe('Deploying');
  });

  it('when autoPromote is false, then the release waits for kyc.dev/promote=true and removes it', () => {
    const release = { autoPromote: false, smokeCheck: { enabled: false } };
    let s = stepRelease(input({ spec: spec('2.0.0', release), previous: idleBlue })).status;
    s = stepRelease(input({ spec: spec('2.0.0', release), previous: s, observed: observed({ green: all(() => ready('2.0.0')) }) })).status;
    expect(s.phase).toBe('AwaitingPromotion');
    const later = stepRelease(input({ spec: spec('2.0.0', release), previous: s, now: at(3600) }));
    expect(later.status.phase).toBe('AwaitingPromotion');
    const promoted = stepRelease(input({ spec: spec('2.0.0', release), previous: s, annotations: { 'kyc.dev/promote': 'true' } }));
    expect(promoted.status.phase).toBe('Switching');
    expect(promoted.clearAnnotations).toEqual(['kyc.dev/promote']);
  });

  it('when autoPromotionSeconds is set, then the switch waits that long after the smoke check', () => {
    const release = { autoPromotionSeconds: 30, smokeCheck: { enabled: false } };
    let s = stepRelease(input({ spec: spec('2.0.0', release), previous: idleBlue })).status;
    s = stepRelease(input({ spec: spec('2.0.0', release), previous: s, observed: observed({ green: all(() => ready('2.0.0')) }) })).status;
    const early = stepRelease(input({ spec: spec('2.0.0', release), previous: s, now: at(29) }));
    expect(early.status.phase).toBe('AwaitingPromotion');
    expect(early.requeueAfterMs).toBe(1000);
    expect(stepRelease(input({ spec: spec('2.0.0', release), previous: s, now: at(30) })).status.phase).toBe('Switching');
  });

  it('when kyc.dev/abort=true is set mid-release, then the release is aborted, the preview scaled to zero and the annotation removed', () => {
    const started = stepRelease(input({ spec: spec('2.0.0'), previous: idleBlue })).status;
    const step = stepRelease(input({ spec: spec('2.0.0'), previous: started, annotations: { 'kyc.dev/abort': 'true' } }));
    expect(step.status).toMatchObject({ phase: 'Aborted', failureReason: 'AbortRequested' });
    expect(step.clearAnnotations).toEqual(['kyc.dev/abort']);
    expect(step.plan.colors.green?.replicas.gateway).toBe(0);
    expect(step.plan.active).toBe('blue');
  });

  it('when an aborted release is promoted again, then the same version is released again', () => {
    const aborted: ReleaseStatus = {
      ...idleBlue,
      phase: 'Aborted',
      previewColor: 'green',
      previewVersion: '2.0.0',
      failureReason: 'AbortRequested',
    };
    expect(stepRelease(input({ spec: spec('2.0.0'), previous: aborted })).status.phase).toBe('Aborted');
    const retried = stepRelease(input({ spec: spec('2.0.0'), previous: aborted, annotations: { 'kyc.dev/promote': 'true' } }));
    expect(retried.status).toMatchObject({ phase: 'Deploying', previewVersion: '2.0.0' });
    expect(retried.status.failureReason).toBeUndefined();
  });

  it('when spec.version goes back to the active version mid-release, then the release is cancelled', () => {
    const started = stepRelease(input({ spec: spec('2.0.0'), previous: idleBlue })).status;
    const step = stepRelease(input({ spec: spec('1.0.0'), previous: started }));
    expect(step.status).toMatchObject({ phase: 'Idle', activeColor: 'blue' });
    expect(step.status.previewVersion).toBeUndefined();
  });

  it('when spec.version changes again mid-release, then the release restarts with the new version on the same colour', () => {
    const started = stepRelease(input({ spec: spec('2.0.0'), previous: idleBlue })).status;
    const step = stepRelease(input({ spec: spec('3.0.0'), previous: started, now: at(5) }));
    expect(step.status).toMatchObject({
      phase: 'Deploying',
      previewColor: 'green',
      previewVersion: '3.0.0',
      startedAt: '2026-11-26T12:00:05Z',
    });
  });

  it('when spec.version is set back within the scale-down window, then the Services switch back at once', () => {
    const step = stepRelease(input({ spec: spec('1.0.0'), previous: scalingDown, now: at(10) }));
    expect(step.switched).toBe(true);
    expect(step.status).toMatchObject({
      phase: 'ScalingDown',
      activeColor: 'blue',
      activeVersion: '1.0.0',
      previousColor: 'green',
      previousVersion: '2.0.0',
      scaleDownAt: '2026-11-26T12:00:40Z',
    });
    expect(step.plan.active).toBe('blue');
    expect(step.events.map((e) => e.reason)).toEqual(['RolledBack']);
  });

  it('when the scale-down delay has passed, then the old colour goes to zero and the release is Idle', () => {
    const waiting = stepRelease(input({ spec: spec('2.0.0'), previous: scalingDown, now: at(20) }));
    expect(waiting.status.phase).toBe('ScalingDown');
    expect(waiting.requeueAfterMs).toBe(10_000);
    const step = stepRelease(input({ spec: spec('2.0.0'), previous: scalingDown, now: at(30) }));
    expect(step.status).toMatchObject({ phase: 'Idle', activeColor: 'green', finishedAt: '2026-11-26T12:00:30Z' });
    expect(step.plan.colors.blue?.replicas.kyc).toBe(0);
    // After the window, the old version is a normal release.
    const later = stepRelease(input({ spec: spec('1.0.0'), previous: step.status, now: at(31) }));
    expect(later.status).toMatchObject({ phase: 'Deploying', previewColor: 'blue', previewVersion: '1.0.0' });
  });

  it('when a promote annotation comes while nothing awaits promotion, then it is removed with an Event', () => {
    const step = stepRelease(input({ previous: idleBlue, annotations: { 'kyc.dev/promote': 'true' } }));
    expect(step.clearAnnotations).toEqual(['kyc.dev/promote']);
    expect(step.events.map((e) => e.reason)).toEqual(['AnnotationIgnored']);
  });

  it('when a component is autoscaled, then the preview takes the live replica count of the active colour and the active colour leaves it to the HPA', () => {
    const staging = { ...spec('2.0.0'), profile: 'staging' as const };
    const blue = all(() => ready('1.0.0', 4));
    const step = stepRelease(input({ spec: staging, previous: idleBlue, observed: observed({ blue }) }));
    expect(step.plan.colors.green?.replicas.kyc).toBe(4);
    expect(step.plan.colors.blue?.replicas.kyc).toBeUndefined();
  });

  it('when the release state was lost but colours exist, then the colour with replicas is adopted as active', () => {
    const step = stepRelease(input({ observed: observed({ blue: all(() => ready('1.0.0', 0)), green: all(() => ready('1.0.0')) }) }));
    expect(step.status).toMatchObject({ phase: 'Idle', activeColor: 'green', activeVersion: '1.0.0' });
  });

  it('in every phase, the same input gives the same step (a restarted operator resumes where the status says)', () => {
    const phases: ReleaseStatus[] = [
      idleBlue,
      { ...idleBlue, phase: 'Deploying', previewColor: 'green', previewVersion: '2.0.0', startedAt: '2026-11-26T12:00:00Z' },
      { ...idleBlue, phase: 'Verifying', previewColor: 'green', previewVersion: '2.0.0', startedAt: '2026-11-26T12:00:00Z' },
      toSwitching(),
      scalingDown,
    ];
    for (const previous of phases) {
      const args = input({
        spec: spec('2.0.0'),
        previous,
        observed: observed({ blue: all(() => ready('1.0.0')), green: all(() => ready('2.0.0')) }),
        now: at(5),
      });
      expect(stepRelease(args)).toEqual(stepRelease(args));
    }
  });
});
