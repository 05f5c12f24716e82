// The blue-green release inside a reconcile pass, called through the reconciler's blue-green rollout
// strategy (reconcile/rollout-bluegreen.ts), in order: plan (before rendering: one step of the state
// machine from the live Deployments), render (the colours the step asks for), firstInPass (the
// Services of a switch), statusComponents + status (the single status write carries the release
// state), finish (after the status is written: Events, consumed annotations, a smoke-check round).
import { setCondition } from '../api/conditions.js';
import { desiredComponentNames, releaseFor, tlsEnabled } from '../api/defaults.js';
import type { Condition, KycPlatform, KycPlatformStatus } from '../api/types.js';
import { COLOR_LABEL, colorObjectName, componentObjectName } from '../render/meta.js';
import type { EventSink } from '../runtime/events.js';
import type { Informer } from '../runtime/informer.js';
import type { KubeClient, KubeResource, ResourceType } from '../runtime/kube.js';
import type { Logger } from '../runtime/logger.js';
import { stepRelease, type ReleaseStep } from './bluegreen.js';
import {
  CONDITION_RELEASE_FAILED,
  CONDITION_RELEASE_PROGRESSING,
  COLORS,
  isBlueGreen,
  type Color,
  type ObservedDeployment,
  type ObservedDeployments,
} from './model.js';
import { previewRefusal, type PodLike } from './refusal.js';
import { renderBlueGreen } from './render.js';
import type { SmokeRunner } from './smoke.js';
import type { ComponentName } from '../api/components.js';

export interface ReleaseControllerDeps {
  client: KubeClient;
  platformType: ResourceType;
  events: EventSink;
  logger: Logger;
  smoke: SmokeRunner;
  deployments: () => Informer<KubeResource> | undefined;
  /** Wakes the platform when a smoke-check round finishes. */
  wake?: (key: string) => void;
  /** How often a Deploying platform's preview pods are read for a refusal (refusal.ts); 5 s by default. */
  refusalCheckMs?: number;
}

export interface ReleasePass {
  key: string;
  step: ReleaseStep;
  /** When the pass began (performance.now()), to time a switch. */
  startedMs: number;
  /** When a switching pass had applied the active Services (performance.now()), before the rest of its objects. */
  servicesSwitchedMs?: number;
}

type Platform = KycPlatform & KubeResource;

const PROGRESSING_PHASES = new Set(['Deploying', 'Verifying', 'AwaitingPromotion', 'Switching']);
const POD: ResourceType = { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true };
const REFUSAL_CHECK_MS = 5_000;

export class ReleaseController {
  /** When this process saw every preview ready, per platform (performance.now()), to time the switch. */
  private readonly previewReady = new Map<string, number>();
  /** Per platform: the preview version whose pods were last read, when, and the refusal they showed. */
  private readonly refusals = new Map<string, { version: string; checkedMs: number; refusal?: string }>();

  constructor(private readonly deps: ReleaseControllerDeps) {}

  private deployment(platform: Platform, name: string): (ObservedDeployment & KubeResource) | undefined {
    return this.deps.deployments()?.get(platform.metadata.namespace ?? '', name);
  }

  private observe(platform: Platform): ObservedDeployments {
    const observed: ObservedDeployments = { blue: {}, green: {}, legacy: {} };
    for (const component of desiredComponentNames(platform.spec)) {
      for (const color of COLORS) {
        const live = this.deployment(platform, colorObjectName(platform, component, color));
        if (live) observed[color][component] = live;
      }
      const legacy = this.deployment(platform, componentObjectName(platform, component));
      if (legacy) observed.legacy[component] = legacy;
    }
    return observed;
  }

  /** One step of the release, or undefined when the platform does not release blue-green. */
  plan(key: string, platform: Platform, now: Date): ReleasePass | undefined {
    if (!isBlueGreen(platform.spec)) {
      this.deps.smoke.forget(key);
      return undefined;
    }
    const previous = platform.status?.release;
    const version = previous?.previewVersion;
    const step = stepRelease({
      spec: platform.spec,
      annotations: platform.metadata.annotations ?? {},
      previous,
      statusActiveVersion: platform.status?.activeVersion,
      observed: this.observe(platform),
      smoke: previous?.phase === 'Verifying' && version ? this.deps.smoke.take(key, version) : undefined,
      previewRefusal: previous?.phase === 'Deploying' && version ? this.refusalOf(key, version) : undefined,
      now,
    });
    if (step.status.phase !== 'Deploying') this.refusals.delete(key);
    return { key, step, startedMs: performance.now() };
  }

  private refusalOf(key: string, version: string): string | undefined {
    const seen = this.refusals.get(key);
    return seen?.version === version ? seen.refusal : undefined;
  }

  /**
   * While the preview comes up: reads its pods (at most every refusalCheckMs) for a refusal no restart
   * cures, and wakes the platform when one appears so the next step aborts with it. A failed read is
   * only logged: the progress deadline still bounds the release.
   */
  private async checkPreviewPods(platform: Platform, key: string, color: Color, version: string): Promise<void> {
    const now = performance.now();
    const seen = this.refusals.get(key);
    if (seen?.version === version && (seen.refusal !== undefined || now - seen.checkedMs < (this.deps.refusalCheckMs ?? REFUSAL_CHECK_MS)))
      return;
    this.refusals.set(key, { version, checkedMs: now });
    try {
      const selector = `app.kubernetes.io/instance=${platform.metadata.name},${COLOR_LABEL}=${color}`;
      const { items } = await this.deps.client.list<KubeResource & PodLike>(POD, platform.metadata.namespace ?? '', {
        labelSelector: selector,
      });
      const refusal = previewRefusal(items, color, version);
      if (refusal === undefined) return;
      this.refusals.set(key, { version, checkedMs: now, refusal });
      this.deps.wake?.(key);
    } catch (error) {
      this.deps.logger.debug({ platform: key, err: error }, 'could not read the preview pods for a refusal');
    }
  }

  render(platform: Platform, pass: ReleasePass, base: readonly KubeResource[]): KubeResource[] {
    return renderBlueGreen(platform, pass.step.plan, base, (name) => this.deployment(platform, name) !== undefined);
  }

  /** In a pass that switches: the active Services, to be applied before anything else (they are the switch). */
  firstInPass(platform: Platform, pass: ReleasePass, desired: readonly KubeResource[]): KubeResource[] {
    if (!pass.step.switched) return [];
    const active = new Set(desiredComponentNames(platform.spec).map((c) => componentObjectName(platform, c)));
    return desired.filter((o) => o.kind === 'Service' && active.has(o.metadata.name));
  }

  /** firstInPass's objects are applied: in a switching pass, the moment the active Services moved. */
  firstApplied(pass: ReleasePass): void {
    if (pass.step.switched) pass.servicesSwitchedMs = performance.now();
  }

  /** The Deployments whose readiness is the platform's: the active colour's (or the single ones before the migration). */
  statusComponents(
    platform: Platform,
    pass: ReleasePass,
    live: (name: string) => KubeResource | undefined,
  ): { name: ComponentName; deployment: KubeResource | undefined }[] {
    const active = pass.step.plan.active;
    return desiredComponentNames(platform.spec).map((component) => {
      const name = active === 'legacy' ? componentObjectName(platform, component) : colorObjectName(platform, component, active);
      return { name: component, deployment: live(name) ?? this.deployment(platform, name) };
    });
  }

  /** The platform as the status computation should see it: running the active version. */
  statusView<T extends KycPlatform>(platform: T, pass: ReleasePass): T {
    const version = pass.step.status.activeVersion;
    return version && version !== platform.spec.version ? { ...platform, spec: { ...platform.spec, version } } : platform;
  }

  /** Adds the release state, its two conditions and the active colour to the computed status. */
  status<S extends Pick<KycPlatformStatus, 'conditions' | 'activeVersion' | 'activeColor' | 'release'>>(
    platform: Platform,
    pass: ReleasePass,
    computed: S,
    now: Date,
  ): S {
    const release = pass.step.status;
    const generation = platform.metadata.generation ?? 0;
    const phase = release.phase ?? 'Idle';
    const progressing = PROGRESSING_PHASES.has(phase);
    const failed = phase === 'Aborted' && release.failureReason !== undefined;
    const conditions: Condition[] = (computed.conditions ?? []).filter(
      (c) => c.type !== CONDITION_RELEASE_PROGRESSING && c.type !== CONDITION_RELEASE_FAILED,
    );
    const previous = platform.status?.conditions;
    const set = (next: Omit<Condition, 'lastTransitionTime'>): Condition => setCondition(previous, next, now);
    conditions.push(
      set({
        type: CONDITION_RELEASE_PROGRESSING,
        status: progressing ? 'True' : 'False',
        observedGeneration: generation,
        reason: progressing ? phase : phase === 'ScalingDown' ? 'Switched' : phase === 'Aborted' ? 'Aborted' : 'NoRelease',
        message: release.message ?? phase,
      }),
      set({
        type: CONDITION_RELEASE_FAILED,
        status: failed ? 'True' : 'False',
        observedGeneration: generation,
        reason: failed ? (release.failureReason ?? 'Aborted') : 'AsExpected',
        message: failed ? (release.message ?? 'the release was aborted') : 'no failed release',
      }),
    );
    const out: S = { ...computed, conditions, release };
    if (release.activeColor) out.activeColor = release.activeColor;
    else delete out.activeColor;
    if (release.activeVersion) out.activeVersion = release.activeVersion;
    return out;
  }

  /** After the status is written: Events, the annotations acted upon, the next smoke-check round. */
  async finish(platform: Platform, pass: ReleasePass): Promise<void> {
    const { step, key } = pass;
    const now = performance.now();
    if (step.events.some((e) => e.reason === 'PreviewReady')) this.previewReady.set(key, now);
    let timing = '';
    if (step.switched) {
      // The benchmark's figures: the switching pass (every object applied, status written), the time since
      // every preview was ready (smoke check and scale-up included) to the end of that pass, and to the
      // moment its first objects, the active Services, were applied: when customers' traffic moved
      // (docs/benchmarks.md, "Blue-green release"). Said when this process saw the previews ready.
      const ready = this.previewReady.get(key);
      const sincePreviewReadyMs = ready === undefined ? undefined : Math.round(now - ready);
      const servicesSwitchedMs =
        ready === undefined || pass.servicesSwitchedMs === undefined ? undefined : Math.round(pass.servicesSwitchedMs - ready);
      timing =
        ` (switch pass ${Math.round(now - pass.startedMs)} ms` +
        (sincePreviewReadyMs === undefined ? '' : `, ${sincePreviewReadyMs} ms after every preview was ready`) +
        (servicesSwitchedMs === undefined ? '' : `; the active Services switched ${servicesSwitchedMs} ms after every preview was ready`) +
        ')';
      this.previewReady.delete(key);
      this.deps.logger.info(
        { platform: key, switchPassMs: Math.round(now - pass.startedMs), sincePreviewReadyMs, servicesSwitchedMs },
        'release switched',
      );
    }
    for (const event of step.events) {
      const message = event.reason === 'Switched' || event.reason === 'RolledBack' ? `${event.message}${timing}` : event.message;
      this.deps.events.record(platform, event.type, event.reason, message);
    }
    if (step.events.length > 0)
      this.deps.logger.info({ platform: key, phase: step.status.phase, events: step.events.map((e) => e.reason) }, 'release step');
    const release = step.status;
    if (release.phase === 'Deploying' && release.previewColor && release.previewVersion)
      await this.checkPreviewPods(platform, key, release.previewColor, release.previewVersion);
    if (step.runSmokeCheck && release.previewVersion) {
      const settings = releaseFor(platform.spec).smokeCheck;
      this.deps.smoke.start(
        key,
        {
          namespace: platform.metadata.namespace ?? '',
          platform: platform.metadata.name,
          components: desiredComponentNames(platform.spec),
          version: release.previewVersion,
          path: settings.path,
          gatewayPath: settings.gatewayPath,
          timeoutMs: settings.timeoutSeconds * 1000,
          tls: tlsEnabled(platform.spec),
        },
        () => this.deps.wake?.(key),
        step.smokeCheckDelayMs,
      );
    }
    if (step.clearAnnotations.length > 0) {
      const annotations = Object.fromEntries(step.clearAnnotations.map((name) => [name, null]));
      await this.deps.client.mergePatch(this.deps.platformType, platform.metadata.namespace ?? '', platform.metadata.name, {
        metadata: { annotations },
      });
    }
  }
}
