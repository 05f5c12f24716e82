// The blue-green state machine: given the spec, the recorded release state, the live Deployments, the
// last smoke-check result and the time, the next release state, what the colours should look like,
// the Events to record and when to look again. Pure: one step per call, every decision in status.
//
//   Idle ──new version──▶ Deploying ──preview Available──▶ Verifying ──smoke ok──▶ AwaitingPromotion
//     ▲                      │  deadline / abort             │ retries spent          │ promote / auto
//     │                      ▼                               ▼                        ▼
//     │                   Aborted ◀──────────────────────────┴───────────────── Switching (scale to active count)
//     │                                                                               │ all Available: switch
//     └──────────── scaleDownAt reached ◀── ScalingDown ◀─────────────────────────────┘
//                                          (spec.version back within the window: switch back at once)
//
// Entering Switching takes its first step in the same call: a preview already at the active count is
// switched in the pass that verified (or promoted) it.
import type { ComponentName } from '../api/components.js';
import { componentReplicas, desiredComponentNames, isAutoscaled, releaseFor, autoscalingFor } from '../api/defaults.js';
import { rfc3339 } from '../api/time.js';
import type { KycPlatformSpec, ReleaseStatus } from '../api/types.js';
import { componentReady } from '../api/observed.js';
import {
  ABORT_ANNOTATION,
  COLORS,
  otherColor,
  parseTime,
  PROMOTE_ANNOTATION,
  VERSION_ANNOTATION,
  type Color,
  type ColorTarget,
  type ObservedDeployment,
  type ObservedDeployments,
  type ReleaseEvent,
  type ReleasePhase,
  type ReleasePlan,
  type SmokeResult,
} from './model.js';

export interface ReleaseInput {
  spec: KycPlatformSpec;
  annotations: Readonly<Record<string, string>>;
  /** status.release as last written. */
  previous: ReleaseStatus | undefined;
  /** status.activeVersion: what a pre-blue-green platform runs. */
  statusActiveVersion: string | undefined;
  observed: ObservedDeployments;
  /** The latest finished smoke-check round, if any. */
  smoke: SmokeResult | undefined;
  /**
   * Why the preview can never start, read from its pods (refusal.ts: a migration the active version
   * cannot run beside); undefined while none said so.
   */
  previewRefusal?: string | undefined;
  now: Date;
}

export interface ReleaseStep {
  status: ReleaseStatus;
  plan: ReleasePlan;
  events: ReleaseEvent[];
  /** Look again after this long (a deadline, the scale-down delay, a smoke-check retry). */
  requeueAfterMs: number | undefined;
  /** Start a smoke-check round against the preview Services. */
  runSmokeCheck: boolean;
  /** Wait this long before the round (a retry after a failed round: a fast failure must not use up the retries at once). */
  smokeCheckDelayMs: number;
  /** Annotations to remove from the platform: they were acted upon (or could not be). */
  clearAnnotations: string[];
  /** True in the pass that switched the active Services (the controller times the Services' apply). */
  switched: boolean;
}

const SMOKE_RETRY_MS = 3_000;
const SMOKE_POLL_MS = 1_000;
/** Upper bound of a timed wait: the informers wake the platform on progress anyway. */
const MAX_WAIT_MS = 30_000;

/** Everything that belongs to one release only; cleared when it ends. */
const RELEASE_FIELDS = ['previewColor', 'previewVersion', 'startedAt', 'previewReadyAt', 'verifiedAt', 'smokeCheckFailures'] as const;

function without(status: ReleaseStatus, keys: readonly (keyof ReleaseStatus)[]): ReleaseStatus {
  const copy: ReleaseStatus = { ...status };
  for (const key of keys) delete copy[key];
  return copy;
}

/** A Deployment runs `version` and has finished rolling out to `replicas` (at least one). */
function deploymentAt(d: ObservedDeployment | undefined, version: string, replicas: number | undefined): boolean {
  if (!d) return false;
  if (d.metadata?.annotations?.[VERSION_ANNOTATION] !== version) return false;
  const desired = d.spec?.replicas ?? 1;
  if (replicas !== undefined && desired !== replicas) return false;
  return desired >= 1 && componentReady(d);
}

class Stepper {
  readonly events: ReleaseEvent[] = [];
  readonly clear = new Set<string>();
  requeueAfterMs: number | undefined;
  runSmokeCheck = false;
  smokeCheckDelayMs = 0;
  switched = false;
  private readonly release: ReturnType<typeof releaseFor>;
  private readonly components: ComponentName[];
  private readonly nowMs: number;
  private readonly stamp: string;

  constructor(private readonly input: ReleaseInput) {
    this.release = releaseFor(input.spec);
    this.components = desiredComponentNames(input.spec);
    this.nowMs = input.now.getTime();
    this.stamp = rfc3339(input.now);
  }

  private event(type: ReleaseEvent['type'], reason: string, message: string): void {
    this.events.push({ type, reason, message });
  }

  private wait(ms: number): void {
    const bounded = Math.max(0, Math.min(ms, MAX_WAIT_MS));
    this.requeueAfterMs = this.requeueAfterMs === undefined ? bounded : Math.min(this.requeueAfterMs, bounded);
  }

  private annotated(name: string): boolean {
    return this.input.annotations[name] === 'true';
  }

  private enter(status: ReleaseStatus, phase: ReleasePhase, message: string): ReleaseStatus {
    return { ...status, phase, phaseStartedAt: this.stamp, message };
  }

  /** The replica count the active side has now, per component (the HPA's when it owns the count). */
  activeReplicas(status: ReleaseStatus): Partial<Record<ComponentName, number>> {
    const out: Partial<Record<ComponentName, number>> = {};
    const live = status.activeColor ? this.input.observed[status.activeColor] : this.input.observed.legacy;
    for (const c of this.components) {
      out[c] = isAutoscaled(this.input.spec, c)
        ? Math.max(live[c]?.spec?.replicas ?? 0, autoscalingFor(this.input.spec, c).minReplicas, 1)
        : componentReplicas(this.input.spec, c);
    }
    return out;
  }

  previewReplicas(status: ReleaseStatus): Partial<Record<ComponentName, number>> {
    const active = this.activeReplicas(status);
    const fixed = this.release.previewReplicas;
    if (fixed === undefined || status.phase === 'Switching') return active;
    return Object.fromEntries(this.components.map((c) => [c, fixed]));
  }

  colorAt(color: Color, version: string, replicas: Partial<Record<ComponentName, number>>): { ready: boolean; waiting: string[] } {
    const waiting = this.components.filter((c) => !deploymentAt(this.input.observed[color][c], version, replicas[c]));
    return { ready: waiting.length === 0, waiting };
  }

  /** The first step of a platform with no release state: adopt what runs. */
  initial(): ReleaseStatus {
    const { observed, spec, statusActiveVersion } = this.input;
    const legacy = this.components.some((c) => observed.legacy[c] !== undefined);
    const colorReplicas = (color: Color): number => this.components.reduce((sum, c) => sum + (observed[color][c]?.spec?.replicas ?? 0), 0);
    const existing = COLORS.filter((color) => this.components.some((c) => observed[color][c] !== undefined));
    if (existing.length > 0) {
      // Colours exist but the state is gone (status wiped): the colour with more replicas serves.
      const active = [...existing].sort((a, b) => colorReplicas(b) - colorReplicas(a))[0] as Color;
      const version =
        Object.values(observed[active]).find((d) => d?.metadata?.annotations?.[VERSION_ANNOTATION])?.metadata?.annotations?.[
          VERSION_ANNOTATION
        ] ?? spec.version;
      this.event('Normal', 'ReleaseStateRecovered', `no release state recorded: ${active} (version ${version}) serves`);
      return {
        phase: 'Idle',
        activeColor: active,
        activeVersion: version,
        phaseStartedAt: this.stamp,
        message: `${active} serves version ${version}`,
      };
    }
    if (legacy) {
      const version = statusActiveVersion ?? spec.version;
      this.event(
        'Normal',
        'MigrationStarted',
        `adopting the single Deployment per component: bringing up blue at version ${spec.version} beside it`,
      );
      return {
        phase: 'Deploying',
        activeVersion: version,
        previewColor: 'blue',
        previewVersion: spec.version,
        startedAt: this.stamp,
        phaseStartedAt: this.stamp,
        message: `migrating to blue-green: blue comes up at version ${spec.version}`,
      };
    }
    this.event('Normal', 'ReleaseInitialized', `blue serves version ${spec.version}`);
    return {
      phase: 'Idle',
      activeColor: 'blue',
      activeVersion: spec.version,
      phaseStartedAt: this.stamp,
      message: `blue serves version ${spec.version}`,
    };
  }

  startRelease(status: ReleaseStatus): ReleaseStatus {
    // Migrating from the single Deployment per component: blue is the first colour.
    const preview: Color = status.activeColor ? otherColor(status.activeColor) : 'blue';
    const active = status.activeColor ?? 'the current Deployments';
    const version = this.input.spec.version;
    this.event(
      'Normal',
      'ReleaseStarted',
      `bringing up ${preview} at version ${version} (${active} serves ${status.activeVersion ?? '?'})`,
    );
    const base = without(status, [...RELEASE_FIELDS, 'failureReason', 'previousColor', 'previousVersion', 'scaleDownAt']);
    this.wait(0);
    return this.enter(
      { ...base, previewColor: preview, previewVersion: version, startedAt: this.stamp, smokeCheckFailures: 0 },
      'Deploying',
      `bringing up ${preview} at version ${version}`,
    );
  }

  abort(status: ReleaseStatus, reason: string, message: string): ReleaseStatus {
    this.event(
      'Warning',
      reason === 'AbortRequested' ? 'ReleaseAborted' : reason,
      `release of ${status.previewVersion ?? '?'} aborted: ${message}; ${status.activeColor ?? 'the current Deployments'} keep serving ${status.activeVersion ?? ''}`.trim(),
    );
    return this.enter(
      { ...status, failureReason: reason, finishedAt: this.stamp },
      'Aborted',
      `release of ${status.previewVersion ?? '?'} aborted: ${message}`,
    );
  }

  /** Checks shared by every phase before the switch; returns a new status when one of them decided. */
  interrupt(status: ReleaseStatus): ReleaseStatus | undefined {
    const version = this.input.spec.version;
    if (this.annotated(ABORT_ANNOTATION)) {
      this.clear.add(ABORT_ANNOTATION);
      return this.abort(status, 'AbortRequested', `annotation ${ABORT_ANNOTATION}=true`);
    }
    if (status.activeColor && version === status.activeVersion) {
      this.event(
        'Normal',
        'ReleaseCancelled',
        `spec.version is back at ${version}: the preview ${status.previewColor ?? ''} is scaled down`,
      );
      return this.enter(
        { ...without(status, RELEASE_FIELDS), finishedAt: this.stamp },
        'Idle',
        `${status.activeColor} serves version ${version}`,
      );
    }
    if (version !== status.previewVersion) {
      this.event('Normal', 'ReleaseRestarted', `spec.version changed to ${version} during the release of ${status.previewVersion ?? '?'}`);
      return this.startRelease(status);
    }
    return undefined;
  }

  /** Aborts when the deadline that started at `since` has passed; otherwise waits for it. */
  deadline(status: ReleaseStatus, since: string | undefined, what: string): ReleaseStatus | undefined {
    const start = parseTime(since) ?? this.nowMs;
    const remaining = start + this.release.progressDeadlineSeconds * 1000 - this.nowMs;
    if (remaining <= 0)
      return this.abort(
        status,
        'ProgressDeadlineExceeded',
        `${what} within progressDeadlineSeconds (${this.release.progressDeadlineSeconds}s)`,
      );
    this.wait(remaining);
    return undefined;
  }

  afterVerified(status: ReleaseStatus): ReleaseStatus {
    if (!this.release.autoPromote || this.release.autoPromotionSeconds > 0) {
      const how = this.release.autoPromote
        ? `automatically after ${this.release.autoPromotionSeconds}s`
        : `annotate ${PROMOTE_ANNOTATION}=true to promote`;
      this.event('Normal', 'AwaitingPromotion', `${status.previewColor ?? ''} at version ${status.previewVersion ?? ''} is ready: ${how}`);
      this.wait(0);
      return this.enter(status, 'AwaitingPromotion', `preview ready; ${how}`);
    }
    return this.toSwitching(status, `scaling ${status.previewColor ?? ''} to the active replica count before the switch`);
  }

  /**
   * Enters Switching and takes its first step at once: a preview already Available at the active replica
   * count (no previewReplicas, or the HPA's count unchanged) needs nothing more observed, and waiting for
   * the next pass only added that pass to every release (docs/benchmarks.md, "Blue-green release").
   */
  private toSwitching(status: ReleaseStatus, message: string): ReleaseStatus {
    return this.switching(this.enter(status, 'Switching', message));
  }

  deploying(status: ReleaseStatus): ReleaseStatus {
    const interrupted = this.interrupt(status);
    if (interrupted) return interrupted;
    // No restart cures it: abort now, with the pods' reason, rather than at the progress deadline.
    if (this.input.previewRefusal) return this.abort(status, 'MigrationRefused', this.input.previewRefusal);
    const preview = status.previewColor as Color;
    const { ready, waiting } = this.colorAt(preview, status.previewVersion ?? '', this.previewReplicas(status));
    if (ready) {
      this.event('Normal', 'PreviewReady', `every ${preview} Deployment is Available at version ${status.previewVersion ?? ''}`);
      const next = { ...status, previewReadyAt: this.stamp };
      if (this.release.smokeCheck.enabled) {
        this.runSmokeCheck = true;
        this.wait(SMOKE_POLL_MS);
        return this.enter(next, 'Verifying', 'running the smoke check against the preview Services');
      }
      return this.afterVerified({ ...next, verifiedAt: this.stamp });
    }
    return (
      this.deadline(status, status.startedAt, `the preview did not become Available (waiting for ${waiting.join(', ')})`) ?? {
        ...status,
        message: `waiting for ${preview} ${waiting.join(', ')} to be Available at version ${status.previewVersion ?? ''}`,
      }
    );
  }

  verifying(status: ReleaseStatus): ReleaseStatus {
    const interrupted = this.interrupt(status);
    if (interrupted) return interrupted;
    const smoke = this.input.smoke;
    if (!smoke || smoke.version !== status.previewVersion) {
      this.runSmokeCheck = true;
      this.wait(SMOKE_POLL_MS);
      return this.deadline(status, status.startedAt, 'the smoke check did not finish') ?? status;
    }
    if (smoke.ok) {
      this.event('Normal', 'SmokeCheckPassed', smoke.message);
      return this.afterVerified({ ...status, verifiedAt: this.stamp });
    }
    const failures = (status.smokeCheckFailures ?? 0) + 1;
    const failed = {
      ...status,
      smokeCheckFailures: failures,
      message: `smoke check failed (${failures}/${this.release.smokeCheck.retries + 1}): ${smoke.message}`,
    };
    this.event('Warning', 'SmokeCheckFailed', failed.message);
    if (failures > this.release.smokeCheck.retries) return this.abort(failed, 'SmokeCheckFailed', smoke.message);
    this.runSmokeCheck = true;
    this.smokeCheckDelayMs = SMOKE_RETRY_MS;
    this.wait(SMOKE_RETRY_MS + SMOKE_POLL_MS);
    return this.deadline(failed, status.startedAt, 'the smoke check did not pass') ?? failed;
  }

  awaitingPromotion(status: ReleaseStatus): ReleaseStatus {
    const interrupted = this.interrupt(status);
    if (interrupted) return interrupted;
    if (this.annotated(PROMOTE_ANNOTATION)) {
      this.clear.add(PROMOTE_ANNOTATION);
      this.event('Normal', 'PromotionRequested', `annotation ${PROMOTE_ANNOTATION}=true: switching to ${status.previewColor ?? ''}`);
      return this.toSwitching(status, `promoted: scaling ${status.previewColor ?? ''} to the active replica count`);
    }
    if (this.release.autoPromote) {
      const due = (parseTime(status.verifiedAt) ?? this.nowMs) + this.release.autoPromotionSeconds * 1000;
      if (this.nowMs >= due) {
        this.event(
          'Normal',
          'AutoPromotion',
          `autoPromotionSeconds (${this.release.autoPromotionSeconds}s) passed: switching to ${status.previewColor ?? ''}`,
        );
        return this.toSwitching(status, `scaling ${status.previewColor ?? ''} to the active replica count`);
      }
      this.wait(due - this.nowMs);
    }
    return status;
  }

  switching(status: ReleaseStatus): ReleaseStatus {
    const interrupted = this.interrupt(status);
    if (interrupted) return interrupted;
    const preview = status.previewColor as Color;
    const { ready, waiting } = this.colorAt(preview, status.previewVersion ?? '', this.activeReplicas(status));
    if (!ready) {
      return (
        this.deadline(
          status,
          status.phaseStartedAt,
          `the preview did not reach the active replica count (waiting for ${waiting.join(', ')})`,
        ) ?? {
          ...status,
          message: `scaling ${preview} ${waiting.join(', ')} to the active replica count`,
        }
      );
    }
    const previousColor = status.activeColor ?? 'legacy';
    const previousVersion = status.activeVersion ?? '';
    const scaleDownAt = rfc3339(new Date(this.nowMs + this.release.scaleDownDelaySeconds * 1000));
    this.switched = true;
    this.event(
      'Normal',
      'Switched',
      `switched every active Service to ${preview} (version ${status.previewVersion ?? ''}); ${previousColor} (version ${previousVersion}) stays up until ${scaleDownAt} as the rollback target`,
    );
    this.wait(this.release.scaleDownDelaySeconds * 1000);
    return this.enter(
      {
        ...without(status, RELEASE_FIELDS),
        activeColor: preview,
        activeVersion: status.previewVersion ?? '',
        previousColor,
        previousVersion,
        switchedAt: this.stamp,
        scaleDownAt,
      },
      'ScalingDown',
      `${preview} serves version ${status.previewVersion ?? ''}; ${previousColor} scales down at ${scaleDownAt}`,
    );
  }

  scalingDown(status: ReleaseStatus): ReleaseStatus {
    this.ignoreAnnotations('ScalingDown');
    const version = this.input.spec.version;
    const due = parseTime(status.scaleDownAt) ?? this.nowMs;
    const previous = status.previousColor;
    if (version === status.previousVersion && previous && previous !== 'legacy' && this.nowMs < due) {
      const scaleDownAt = rfc3339(new Date(this.nowMs + this.release.scaleDownDelaySeconds * 1000));
      this.switched = true;
      this.event(
        'Normal',
        'RolledBack',
        `spec.version is back at ${version}: switched every active Service back to ${previous}; ${status.activeColor ?? ''} (version ${status.activeVersion ?? ''}) stays up until ${scaleDownAt}`,
      );
      this.wait(this.release.scaleDownDelaySeconds * 1000);
      return this.enter(
        {
          ...status,
          activeColor: previous,
          activeVersion: version,
          previousColor: status.activeColor ?? 'legacy',
          previousVersion: status.activeVersion ?? '',
          switchedAt: this.stamp,
          scaleDownAt,
        },
        'ScalingDown',
        `rolled back: ${previous} serves version ${version}; ${status.activeColor ?? ''} scales down at ${scaleDownAt}`,
      );
    }
    const early = version !== status.activeVersion;
    if (this.nowMs >= due || early) {
      this.event(
        'Normal',
        'ScaledDown',
        `${previous ?? 'the previous colour'} (version ${status.previousVersion ?? ''}) scaled down${early ? ` early: a new release of ${version} starts` : ''}`,
      );
      this.wait(0);
      return this.enter(
        { ...without(status, ['previousColor', 'previousVersion', 'scaleDownAt']), finishedAt: this.stamp },
        'Idle',
        `${status.activeColor ?? ''} serves version ${status.activeVersion ?? ''}`,
      );
    }
    this.wait(due - this.nowMs);
    return status;
  }

  aborted(status: ReleaseStatus): ReleaseStatus {
    const version = this.input.spec.version;
    if (this.annotated(PROMOTE_ANNOTATION) && version === status.previewVersion) {
      // The documented way to try the same version again.
      this.clear.add(PROMOTE_ANNOTATION);
      this.event(
        'Normal',
        'ReleaseRetried',
        `annotation ${PROMOTE_ANNOTATION}=true on an aborted release: trying version ${version} again`,
      );
      return this.startRelease(status);
    }
    this.ignoreAnnotations('Aborted');
    if (version === status.activeVersion && status.activeColor) {
      return this.enter(without(status, RELEASE_FIELDS), 'Idle', `${status.activeColor} serves version ${version}`);
    }
    if (version !== status.previewVersion) return this.startRelease(status);
    return status;
  }

  idle(status: ReleaseStatus): ReleaseStatus {
    if (this.input.spec.version !== status.activeVersion) return this.startRelease(status);
    this.ignoreAnnotations('Idle');
    return status;
  }

  /** promote/abort where they mean nothing: removed, with an Event saying so (left, they would act on the next release). */
  private ignoreAnnotations(phase: ReleasePhase): void {
    for (const name of [PROMOTE_ANNOTATION, ABORT_ANNOTATION]) {
      if (this.input.annotations[name] === undefined) continue;
      this.clear.add(name);
      this.event('Normal', 'AnnotationIgnored', `${name} has no effect in phase ${phase}; removed`);
    }
  }

  plan(status: ReleaseStatus): ReleasePlan {
    const spec = this.input.spec;
    const active: Color | 'legacy' = status.activeColor ?? 'legacy';
    const serving = (version: string): ColorTarget => ({ version, replicas: {}, create: true });
    const zero = (version: string): ColorTarget => ({
      version,
      replicas: Object.fromEntries(this.components.map((c) => [c, 0])),
      create: false,
    });
    const colors: ReleasePlan['colors'] = {};
    let legacy: ReleasePlan['legacy'];
    if (active === 'legacy') legacy = { version: status.activeVersion ?? spec.version };
    else colors[active] = serving(status.activeVersion ?? spec.version);
    const phase = status.phase ?? 'Idle';
    const preview = status.previewColor;
    if (preview && (phase === 'Deploying' || phase === 'Verifying' || phase === 'AwaitingPromotion' || phase === 'Switching')) {
      colors[preview] = { version: status.previewVersion ?? spec.version, replicas: this.previewReplicas(status), create: true };
    } else if (phase === 'ScalingDown' && status.previousColor) {
      if (status.previousColor === 'legacy') legacy = { version: status.previousVersion ?? '' };
      else colors[status.previousColor] = serving(status.previousVersion ?? '');
    } else if (active !== 'legacy') {
      const idle = otherColor(active);
      // Aborted: the failed preview keeps its template (its pods are gone); Idle: the idle colour is just zero.
      colors[idle] = zero(
        phase === 'Aborted' && preview === idle ? (status.previewVersion ?? spec.version) : (status.activeVersion ?? spec.version),
      );
    }
    const previewColor: Color = preview ?? (active === 'legacy' ? 'blue' : otherColor(active));
    return { active, preview: previewColor, colors, ...(legacy ? { legacy } : {}) };
  }
}

export function stepRelease(input: ReleaseInput): ReleaseStep {
  const stepper = new Stepper(input);
  const previous = input.previous?.phase ? input.previous : undefined;
  let status: ReleaseStatus;
  if (!previous) status = stepper.initial();
  else {
    switch (previous.phase) {
      case 'Deploying':
        status = stepper.deploying(previous);
        break;
      case 'Verifying':
        status = stepper.verifying(previous);
        break;
      case 'AwaitingPromotion':
        status = stepper.awaitingPromotion(previous);
        break;
      case 'Switching':
        status = stepper.switching(previous);
        break;
      case 'ScalingDown':
        status = stepper.scalingDown(previous);
        break;
      case 'Aborted':
        status = stepper.aborted(previous);
        break;
      default:
        status = stepper.idle(previous);
    }
  }
  return {
    status,
    plan: stepper.plan(status),
    events: stepper.events,
    requeueAfterMs: stepper.requeueAfterMs,
    runSmokeCheck: stepper.runSmokeCheck,
    smokeCheckDelayMs: stepper.smokeCheckDelayMs,
    clearAnnotations: [...stepper.clear],
    switched: stepper.switched,
  };
}
