// One reconcile pass of a KycPlatform, level-triggered: read the platform and what exists, render
// what should exist, apply what differs, delete what is no longer wanted, then write the status once.
// How the Deployments move to a new version is the rollout strategy's business (rollout.ts): the pass
// runs the same sequence for in-place and blue-green platforms alike.
import { degradationModeOf, featureFlagsOf, platformSecretName, profileOf } from '../api/defaults.js';
import type { BackupStatus, Condition, KycPlatform, KycPlatformStatus } from '../api/types.js';
import { renderPlatform } from '../render/index.js';
import { FIELD_MANAGER, type Applier } from '../runtime/apply.js';
import { TRANSITION_REPEAT_MS, type EventSink } from '../runtime/events.js';
import { splitKey, type Informer } from '../runtime/informer.js';
import { ReadBatch } from '../runtime/read-batch.js';
import { isConflict, isNotFound, type KubeClient, type KubeResource } from '../runtime/kube.js';
import type { Logger } from '../runtime/logger.js';
import type { HandlerResult } from '../runtime/workqueue.js';
import type { ScalingController, ScalingPlan } from '../scaling/controller.js';
import { observeScaling, withScalingStatus } from '../scaling/observe.js';
import {
  CONDITION_SCALING_DEGRADED,
  REASON_EXTERNAL_METRICS_ELSEWHERE,
  REASON_KEDA_NOT_INSTALLED,
  type ScalingStatus,
} from '../scaling/status.js';
import { POD_MONITOR, POD_MONITOR_CRD, REASON_POD_MONITOR_NOT_INSTALLED } from '../render/podmonitor.js';
import { plaintextDependencyRefusal, REASON_PLAINTEXT_DEPENDENCY } from '../render/store-tls.js';
import { isKedaObject, type KedaObjects } from './keda.js';
import type { PodMonitors } from './pod-monitors.js';
import {
  CONDITION_CERTIFICATES_READY,
  type CertificateExpiry,
  type CertificatesOutcome,
  type PlatformCertificates,
} from './certificates.js';
import { rfc3339 } from '../api/time.js';
import { REASON_TLS_REQUIRED, tlsRequiredRefusal } from '../render/tls.js';
import { setCondition } from '../api/conditions.js';
import type { RestoreJobs, RestoreObservation } from './restore.js';
import { REASON_DEPENDENCY_UNAVAILABLE, withDegradation, type PodHealth } from './degradation.js';
import { configMapLiveSettingsDigest } from '../render/configmap.js';
import { activeColorChanged, announceLiveSettings, flagsChanged } from './live-settings.js';
import type { HealthReader } from './pod-health.js';
import { backupReportOutdated, latestBackupReport, type BackupPodLike } from './backup-report.js';
import { backupCondition, backupRecheckInMs, type CronJobView } from './backup-status.js';
import { INSTANCE_LABEL, isOwnedBy, OWNED_SELECTOR, OWNED_TYPES, PLATFORM, POD, SECRET, typeOf } from './resources.js';
import { handoverPatch, HANDOVER_FIELD_MANAGER, replicasToHandOver } from './replicas.js';
import { inPlaceRollout } from './rollout-inplace.js';
import type { RolloutPass, RolloutStrategy } from './rollout.js';
import { checkProductionSecrets, decodeSecretData, describeFindings } from './secrets.js';
import {
  computeStatus,
  conditionOf,
  CONDITION_DEGRADED,
  CONDITION_READY,
  REASON_INSECURE_SECRETS,
  refusedStatus,
  secretsVerifiedCondition,
  statusUpToDate,
  type ObservedComponent,
  type OwnedStatus,
  type Problem,
} from './status.js';
import { stableStringify } from '../runtime/hash.js';

type SecretResource = KubeResource & { data?: Record<string, string> };

/** What the production check decided: refuse (with the message), or go on (with the condition to report). */
type SecretsVerdict = { refused: string } | { verified: Condition } | undefined;

export type PlatformResource = KycPlatform & KubeResource;

export interface ReconcilerDeps {
  client: KubeClient;
  applier: Applier;
  events: EventSink;
  logger: Logger;
  platforms: Informer<PlatformResource>;
  /** One informer per owned kind, by plural. */
  owned: ReadonlyMap<string, Informer<KubeResource>>;
  progressRequeueMs: number;
  /** Counts objects that needed no write. */
  onUnchanged?: () => void;
  now?: () => Date;
  /** How platforms roll to a new version (rollout-bluegreen.ts); without it every platform rolls in place. */
  rollout?: RolloutStrategy;
  /** Schedules, custom metrics and the scaling status (scaling/controller.ts). */
  scaling?: ScalingController;
  /** The operator's own namespace when it runs in a Pod (its NetworkPolicy rule); empty otherwise. */
  operatorNamespace?: string;
  /** The pods' /health, read at a bounded rate, for the Degraded condition (pod-health.ts); without it, only a forced mode shows. */
  health?: HealthReader;
  /** The platform's CA and certificates (certificates.ts); without it none are issued. */
  certificates?: PlatformCertificates;
  /** KEDA ScaledObjects (and their Kafka TriggerAuthentication) of provider keda platforms (keda.ts); without it none are written. */
  keda?: KedaObjects;
  /** PodMonitors of spec.observability.podMonitor (pod-monitors.ts); without it none are written. */
  podMonitors?: PodMonitors;
  /** The restore Job of kyc.dev/restore and condition Restored (restore.ts); without it the annotation is ignored. */
  restore?: RestoreJobs;
}

/** The live settings as last announced to the pods, for status (reconcile/live-settings.ts). */
type AnnouncedSettings = Pick<KycPlatformStatus, 'featureFlags' | 'degradationMode'>;

/** What one pass changed, by kind of decision, for its Events. */
interface Decisions {
  created: string[];
  updated: string[];
  restored: string[];
  deleted: string[];
}

/** Objects that must exist before the Deployments that use them (ServiceAccounts, ConfigMaps). */
const FIRST_WAVE = new Set(['ServiceAccount', 'ConfigMap']);

export class PlatformReconciler {
  /**
   * The spec hashes of each platform's last render, in render order. Rendering depends only on what the
   * stamp covers, so the same stamp renders the same objects, whose hashes need not be taken again:
   * hashing is ~90 % of a render's CPU (~2 ms of ~2.3 ms a platform). The objects themselves are rendered
   * again each pass rather than kept: kept, they were ~70 KiB of heap a platform beside the informers'
   * ~200 KiB (docs/benchmarks.md, "Operator").
   */
  private readonly renders = new Map<string, { stamp: string; hashes: string[] }>();

  private readonly rollout: RolloutStrategy;

  constructor(private readonly deps: ReconcilerDeps) {
    this.rollout = deps.rollout ?? inPlaceRollout;
  }

  private render(key: string, platform: PlatformResource, rollout: RolloutPass, scaling?: ScalingPlan): KubeResource[] {
    const { uid, generation, labels, annotations } = platform.metadata;
    const stamp = JSON.stringify([uid, generation, labels, annotations, rollout.renderStamp, scaling?.stamp]);
    const base = renderPlatform(platform, {
      minReplicasFloor: scaling?.minReplicasFloor,
      operatorNamespace: this.deps.operatorNamespace || undefined,
    });
    const objects = rollout.render(base);
    const { applier } = this.deps;
    const cached = this.renders.get(key);
    if (cached?.stamp === stamp && cached.hashes.length === objects.length)
      objects.forEach((object, i) => applier.knownHash(object, cached.hashes[i] as string));
    else this.renders.set(key, { stamp, hashes: objects.map((object) => applier.specHash(object)) });
    return objects;
  }

  async reconcile(key: string): Promise<HandlerResult | void> {
    const [namespace, name] = splitKey(key);
    const platform = this.deps.platforms.get(namespace, name);
    // Deleted (or being deleted): owner references let the garbage collector remove everything.
    if (!platform) {
      this.renders.delete(key);
      this.deps.scaling?.forget(key);
      this.deps.health?.forget(key);
      this.deps.certificates?.forget(namespace, name);
      this.deps.keda?.forget(namespace, name);
      this.deps.podMonitors?.forget(namespace, name);
      this.deps.applier.forgetWhere((k) => k.includes(`|${namespace}|${name}-`) || k.endsWith(`|${namespace}|${name}`));
      return;
    }
    if (platform.metadata.deletionTimestamp) return;
    const log = this.deps.logger.child({ platform: key, generation: platform.metadata.generation });

    // Before anything is rendered or applied: a refused Secret means no Deployment is created or changed,
    // so no pod starts with a development key. The Secret is not watched (the operator may only `get` it),
    // so a refused platform is looked at again after progressRequeueMs.
    const secrets = await this.verifySecrets(platform);
    if (secrets && 'refused' in secrets) {
      this.deps.events.record(platform, 'Warning', REASON_INSECURE_SECRETS, secrets.refused);
      await this.writeRefusedStatus(platform, secrets.refused, log);
      return { requeueAfterMs: this.deps.progressRequeueMs };
    }

    // Production: a store declared plaintext (tls: Disabled) is refused before anything rolls out; a new
    // spec is a new pass (render/store-tls.ts).
    const plaintext = plaintextDependencyRefusal(platform.spec);
    if (plaintext) {
      this.deps.events.record(platform, 'Warning', REASON_PLAINTEXT_DEPENDENCY, plaintext);
      await this.writeStatus(platform, [], { reason: REASON_PLAINTEXT_DEPENDENCY, message: plaintext }, log);
      return;
    }

    // Production: plain HTTP between the components is refused before anything rolls out (render/tls.ts).
    const tlsRefused = tlsRequiredRefusal(platform);
    if (tlsRefused) {
      this.deps.events.record(platform, 'Warning', REASON_TLS_REQUIRED, tlsRefused);
      await this.writeStatus(platform, [], { reason: REASON_TLS_REQUIRED, message: tlsRefused }, log);
      return;
    }

    let rendered: KubeResource[];
    let rollout: RolloutPass;
    let scalingPlan: ScalingPlan | undefined;
    try {
      scalingPlan = this.deps.scaling?.plan(platform, this.deps.now?.() ?? new Date());
      rollout = this.rollout.plan(key, platform, this.deps.now?.() ?? new Date());
      rendered = this.render(key, platform, rollout, scalingPlan);
    } catch (error) {
      // A spec the renderer rejects will not fix itself by retrying: report it and wait for a new spec.
      const problem = { reason: 'InvalidSpec', message: (error as Error).message };
      this.deps.events.record(platform, 'Warning', 'InvalidSpec', problem.message);
      await this.writeStatus(platform, [], problem, log);
      return;
    }

    // KEDA's objects and the PodMonitors go their own way (optional-kind.ts): their kinds exist
    // only where KEDA or the Prometheus Operator is installed.
    const desired = rendered.filter((o) => !isKedaObject(o) && o.kind !== POD_MONITOR.kind);
    const kedaObjects = rendered.filter(isKedaObject);
    const podMonitors = rendered.filter((o) => o.kind === POD_MONITOR.kind);
    const live = new Map<string, KubeResource>();
    const decisions: Decisions = { created: [], updated: [], restored: [], deleted: [] };
    let applyProblem: Problem | undefined;
    let firstError: Error | undefined;
    // Objects read whole to look for drift go out a kind at a time (runtime/read-batch.ts).
    const reads = new ReadBatch(this.deps.client, `${INSTANCE_LABEL}=${name},${OWNED_SELECTOR}`);
    /** Applies `objects` side by side; whether every one of them was applied. */
    const applyAll = async (objects: KubeResource[]): Promise<boolean> => {
      const applied = await Promise.all(
        objects.map(async (object) => {
          try {
            live.set(identity(object), await this.applyOne(object, decisions, rendered, reads));
            return true;
          } catch (error) {
            firstError ??= asError(error);
            applyProblem ??= { reason: 'ApplyFailed', message: describe(error) };
            return false;
          }
        }),
      );
      return applied.every(Boolean);
    };
    // The certificates before the Deployments that mount them (certificates.ts); a failure is reported and
    // the rest of the pass goes on (running pods keep the certificates they have).
    let certificates: CertificatesOutcome | undefined;
    let certificatesFailed: Condition | undefined;
    try {
      certificates = await this.deps.certificates?.ensure(platform, this.deps.now?.() ?? new Date());
      if (certificates && certificates.written.length > 0) {
        const why = [
          ...(certificates.plan.ca.action === 'keep' ? [] : [`CA ${certificates.plan.ca.action}: ${certificates.plan.ca.reason}`]),
          ...certificates.plan.issue.map((i) => `${i.component} (${i.reason})`),
        ];
        this.deps.events.record(
          platform,
          'Normal',
          'CertificatesIssued',
          `wrote ${certificates.written.join(', ')}: ${why.join(', ') || 'trust bundle'}`,
        );
      }
    } catch (error) {
      firstError ??= asError(error);
      certificatesFailed = setCondition(
        platform.status?.conditions,
        {
          type: CONDITION_CERTIFICATES_READY,
          status: 'False',
          observedGeneration: platform.metadata.generation ?? 0,
          reason: 'IssueFailed',
          message: describe(error),
        },
        this.deps.now?.() ?? new Date(),
      );
    }
    // spec.tls.issuerRef without cert-manager, or before it issued: the Deployments would mount empty
    // Secrets, so nothing rolls out (reconcile/cert-manager.ts); said once per reason.
    if (certificates?.hold) {
      const { reason, message } = certificates.hold;
      if (conditionOf(platform.status, CONDITION_CERTIFICATES_READY)?.reason !== reason)
        this.deps.events.record(platform, 'Warning', reason, message);
      await this.writeStatus(
        platform,
        [],
        { reason, message },
        log,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        certificates.condition,
        certificates.expiries,
      );
      return { requeueAfterMs: certificates.requeueAfterMs };
    }

    // What the rollout needs first (a blue-green switch moves the Services: they are the switch), then
    // what the Deployments use, then the rest.
    const first = rollout.firstInPass(desired);
    // Told only when every one of them landed: a switch half-applied is not yet the moment traffic moved.
    if (await applyAll(first)) rollout.firstApplied();
    await applyAll(desired.filter((o) => FIRST_WAVE.has(o.kind) && !first.includes(o)));
    await applyAll(desired.filter((o) => !FIRST_WAVE.has(o.kind) && !first.includes(o)));

    try {
      await this.prune(platform, new Set(desired.map(identity)), decisions);
    } catch (error) {
      firstError ??= asError(error);
      applyProblem ??= { reason: 'DeleteFailed', message: describe(error) };
    }

    let kedaMissing = false;
    try {
      const keda = await this.deps.keda?.sync(platform, kedaObjects);
      if (keda) {
        kedaMissing = !keda.installed;
        decisions.created.push(...keda.created);
        decisions.updated.push(...keda.updated);
        decisions.deleted.push(...keda.deleted);
      }
    } catch (error) {
      firstError ??= asError(error);
      applyProblem ??= { reason: 'ApplyFailed', message: describe(error) };
    }
    try {
      const monitors = await this.deps.podMonitors?.sync(platform, podMonitors);
      if (monitors) {
        decisions.created.push(...monitors.created);
        decisions.updated.push(...monitors.updated);
        decisions.deleted.push(...monitors.deleted);
        // Asked for, but this cluster has no Prometheus Operator: said as an Event (the recorder says the
        // same thing once per window), the platform is not held back for it (docs/observability.md).
        if (!monitors.installed)
          this.deps.events.record(
            platform,
            'Warning',
            REASON_POD_MONITOR_NOT_INSTALLED,
            `spec.observability.podMonitor is set but the cluster has no ${POD_MONITOR_CRD} CustomResourceDefinition (the Prometheus Operator): no PodMonitor written`,
          );
      }
    } catch (error) {
      firstError ??= asError(error);
      applyProblem ??= { reason: 'ApplyFailed', message: describe(error) };
    }

    this.recordDecisions(platform, decisions, log);

    let announced: AnnouncedSettings = { featureFlags: platform.status?.featureFlags, degradationMode: platform.status?.degradationMode };
    try {
      announced = await this.announceLiveSettings(
        platform,
        applyProblem,
        log,
        desired.find((o) => o.kind === 'ConfigMap'),
        decisions.created.some((created) => created.startsWith('ConfigMap ')),
      );
    } catch (error) {
      firstError ??= asError(error);
      applyProblem ??= { reason: 'AnnounceFailed', message: describe(error) };
    }

    const components = rollout.components(desired, (name) => live.get(`apps/v1|Deployment|${name}`));
    const scaling =
      scalingPlan &&
      this.deps.scaling?.status(
        key,
        platform,
        scalingPlan,
        observeScaling(desired, (o) => live.get(identity(o))),
        kedaMissing,
      );
    const health = await this.deps.health?.observe(key, platform);
    const cronJob = desired.find((o) => o.kind === 'CronJob');
    const liveCronJob = cronJob && live.get(identity(cronJob));
    const backup = backupCondition(platform, liveCronJob, this.deps.now?.() ?? new Date());
    const lastBackup = await this.lastBackup(platform, liveCronJob, log);
    let restore: RestoreObservation | undefined;
    try {
      restore = await this.deps.restore?.observe(platform, this.deps.now?.() ?? new Date());
    } catch (error) {
      firstError ??= asError(error);
      applyProblem ??= { reason: 'RestoreFailed', message: describe(error) };
    }
    const status = await this.writeStatus(
      platform,
      components,
      applyProblem,
      log,
      rollout,
      scaling,
      secrets?.verified,
      announced,
      health,
      backup,
      lastBackup,
      restore?.condition,
      certificates?.condition ?? certificatesFailed,
      certificates?.expiries,
    );
    // The pods' health changes no watched object: a platform is looked at again when its next round is due.
    // Nor does a backup growing stale: the pass comes back when BackupStale would turn (backup-status.ts).
    const timedWait = minDefined(
      minDefined(minDefined(rollout.requeueAfterMs, scalingPlan?.requeueAfterMs), this.deps.health?.nextRoundInMs(key)),
      minDefined(
        minDefined(backupRecheckInMs(platform, liveCronJob, this.deps.now?.() ?? new Date()), restore?.requeueAfterMs),
        // The next renewal may be weeks away: capped at 6 h (a timer's range, and a missed wake-up costs little).
        certificates && Math.min(certificates.requeueAfterMs, 6 * 3_600_000),
      ),
    );
    await rollout.finish();
    // A conflict is logged at debug and counted as such by the controller (docs/operator.md).
    if (firstError) throw firstError;
    if (status.phase !== 'Ready') return { requeueAfterMs: Math.min(this.deps.progressRequeueMs, timedWait ?? Infinity) };
    return timedWait === undefined ? undefined : { requeueAfterMs: timedWait };
  }

  private async applyOne(
    desired: KubeResource,
    decisions: Decisions,
    allDesired: readonly KubeResource[],
    reads: ReadBatch,
  ): Promise<KubeResource> {
    const type = typeOf(desired);
    const informer = this.deps.owned.get(type.plural);
    const current = informer?.get(desired.metadata.namespace ?? '', desired.metadata.name);
    // Autoscaling switched on: give spec.replicas to a second owner first, so that it is not dropped (replicas.ts).
    const handover = replicasToHandOver(desired, current, allDesired, FIELD_MANAGER);
    if (handover !== undefined) await this.deps.client.apply(type, handoverPatch(desired, handover), HANDOVER_FIELD_MANAGER);
    const { action, object } = await this.deps.applier.ensure(type, desired, current, reads.read);
    if (action === 'unchanged') this.deps.onUnchanged?.();
    else decisions[action].push(`${desired.kind} ${desired.metadata.name}`);
    if (object === current || !informer) return object;
    // A write's answer, or an object read whole to look for drift (runtime/apply.ts), comes with its body
    // and managedFields; the pass reads no more of it than the cache keeps, so it takes the cache's
    // compacted copy: the whole ones of every pass in flight were held until their pass ended.
    return informer.remember(object);
  }

  /** One Event per kind of decision and pass (not one per object: that would double the writes). */
  private recordDecisions(platform: PlatformResource, decisions: Decisions, log: Logger): void {
    const describeList = (items: string[]): string =>
      items.length > 12 ? `${items.slice(0, 12).join(', ')} and ${items.length - 12} more` : items.join(', ');
    if (decisions.created.length) this.deps.events.record(platform, 'Normal', 'Created', `created ${describeList(decisions.created)}`);
    if (decisions.updated.length) this.deps.events.record(platform, 'Normal', 'Updated', `updated ${describeList(decisions.updated)}`);
    if (decisions.restored.length) {
      this.deps.events.record(
        platform,
        'Warning',
        'Restored',
        `restored ${describeList(decisions.restored)}, changed or deleted outside the operator`,
      );
    }
    if (decisions.deleted.length)
      this.deps.events.record(platform, 'Normal', 'Deleted', `deleted ${describeList(decisions.deleted)}, no longer wanted`);
    const total = decisions.created.length + decisions.updated.length + decisions.restored.length + decisions.deleted.length;
    if (total > 0)
      log.debug(
        {
          created: decisions.created.length,
          updated: decisions.updated.length,
          restored: decisions.restored.length,
          deleted: decisions.deleted.length,
        },
        'applied changes',
      );
  }

  /** Deletes owned objects the platform no longer wants (a component disabled, the ingress removed). */
  private async prune(platform: PlatformResource, wanted: ReadonlySet<string>, decisions: Decisions): Promise<void> {
    const { name, namespace, uid } = platform.metadata;
    if (!uid) return;
    const stale: KubeResource[] = [];
    for (const type of OWNED_TYPES) {
      const informer = this.deps.owned.get(type.plural);
      if (!informer) continue;
      // Only the objects labelled with the platform's name (isOwnedBy asks that label too).
      stale.push(
        ...informer
          .listByLabel(namespace ?? '', name)
          .filter((o) => !o.metadata.deletionTimestamp && isOwnedBy(o, name, uid) && !wanted.has(identity(o))),
      );
    }
    await Promise.all(
      stale.map(async (object) => {
        try {
          await this.deps.client.delete(typeOf(object), object.metadata.namespace ?? '', object.metadata.name, object.metadata.uid);
        } catch (error) {
          // Precondition failed: the object was replaced in between; the next pass looks again.
          if (isConflict(error) || isNotFound(error)) return;
          throw new Error(`delete ${object.kind} ${object.metadata.name}`, { cause: error });
        }
        this.deps.applier.forget(object);
        decisions.deleted.push(`${object.kind} ${object.metadata.name}`);
      }),
    );
  }

  /**
   * Production platforms only: the platform Secret (the one Secret the operator reads) against
   * reconcile/secrets.ts. A missing Secret is refused too: pods could not start with it, and the check
   * must have run before they can.
   */
  private async verifySecrets(platform: PlatformResource): Promise<SecretsVerdict> {
    const name = platformSecretName(platform.spec);
    if (profileOf(platform.spec) !== 'production' || !name) return undefined;
    const namespace = platform.metadata.namespace ?? '';
    let secret: SecretResource | undefined;
    try {
      secret = await this.deps.client.get<SecretResource>(SECRET, namespace, name);
    } catch (error) {
      throw new Error(`read Secret ${namespace}/${name} (spec.secretsRef) for the production checks`, { cause: error });
    }
    if (!secret)
      return {
        refused: `Secret ${name} named in spec.secretsRef does not exist in namespace ${namespace}: create it (docs/operator.md) before the platform can roll out`,
      };
    const findings = checkProductionSecrets(decodeSecretData(secret.data));
    if (findings.length > 0) return { refused: describeFindings(name, findings) };
    return { verified: secretsVerifiedCondition(platform, name, this.deps.now?.() ?? new Date()) };
  }

  private async writeRefusedStatus(platform: PlatformResource, message: string, log: Logger): Promise<void> {
    const status = refusedStatus(platform, message, this.deps.now?.() ?? new Date());
    log.warn({ reason: REASON_INSECURE_SECRETS }, 'platform Secret refused; nothing rolled out');
    if (platform.status && stableStringify(platform.status) === stableStringify(status)) return;
    await this.patchStatus(platform, status);
  }

  /** One server-side apply of the status; false when the platform is gone. */
  /**
   * status.backup: carried over until the CronJob reports a newer success, then read from the backup pods'
   * termination messages (backup-report.ts). Without a report (pods gone, an older image) only the time is kept,
   * so the pods are listed once per success, not on every pass.
   */
  private async lastBackup(platform: PlatformResource, cronJob: CronJobView | undefined, log: Logger): Promise<BackupStatus | undefined> {
    if (!platform.spec.backup) return undefined;
    const previous = platform.status?.backup;
    const lastSuccessfulTime = cronJob?.status?.lastSuccessfulTime;
    if (!lastSuccessfulTime || !backupReportOutdated(previous, lastSuccessfulTime)) return previous;
    const selector = `app.kubernetes.io/instance=${platform.metadata.name},app.kubernetes.io/component=backup`;
    let pods: BackupPodLike[];
    try {
      pods = (
        await this.deps.client.list<KubeResource & BackupPodLike>(POD, platform.metadata.namespace ?? '', { labelSelector: selector })
      ).items;
    } catch (error) {
      // The condition does not depend on it: the report is read again on the next pass.
      log.warn({ err: error }, 'could not read the backup pods for status.backup');
      return previous;
    }
    const report = latestBackupReport(pods, lastSuccessfulTime);
    if (report?.key)
      this.deps.events.record(
        platform,
        'Normal',
        'BackupSucceeded',
        `backup ${report.id}: ${report.bytes} bytes at s3://${report.bucket}/${report.key}`,
      );
    return report ?? { lastSuccessfulTime };
  }

  private async patchStatus(platform: PlatformResource, status: object): Promise<boolean> {
    const patch = {
      apiVersion: platform.apiVersion,
      kind: platform.kind,
      metadata: { name: platform.metadata.name, namespace: platform.metadata.namespace },
      status,
    };
    try {
      const updated = await this.deps.client.apply<PlatformResource>(PLATFORM, patch, FIELD_MANAGER, 'status');
      this.deps.platforms.remember(updated);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw new Error(`write status of ${platform.metadata.namespace}/${platform.metadata.name}`, { cause: error });
    }
  }

  /**
   * Feature flags and the other live settings (reconcile/live-settings.ts): once this pass has put them in the
   * ConfigMap, the running pods are told, so the services follow within seconds and nothing restarts. Returns
   * the flags and the mode the pods now know, for status; those last announced while the ConfigMap may lag behind.
   */
  private async announceLiveSettings(
    platform: PlatformResource,
    applyProblem: Problem | undefined,
    log: Logger,
    configMap: KubeResource | undefined,
    configMapCreated: boolean,
  ): Promise<AnnouncedSettings> {
    const announced = platform.status?.featureFlags;
    const inForce = featureFlagsOf(platform.spec);
    // A platform from before the modes has none in status: it ran Normal.
    const announcedMode = platform.status?.degradationMode ?? 'Normal';
    const mode = degradationModeOf(platform.spec);
    const modeChanged = mode !== announcedMode;
    // A blue-green switch changes only the active colour in them (docs/releases.md, "Blue-green isolation").
    const colorChanged = activeColorChanged(configMap, platform.status?.release?.activeColor);
    const digest = configMap && configMapLiveSettingsDigest(configMap);
    if ((!flagsChanged(announced, inForce) && !modeChanged && !colorChanged) || applyProblem || digest === undefined)
      return { featureFlags: announced, degradationMode: announcedMode };
    // A new platform's first pass: nothing was announced before, and the ConfigMap was created before its
    // Deployments (FIRST_WAVE), so any pod the controllers made meanwhile mounts it as it is. Marking them
    // would be a write per pod that tells nobody anything (docs/benchmarks.md, "Memory").
    const marked = announced === undefined && configMapCreated ? 0 : await announceLiveSettings(this.deps.client, platform, digest);
    if (colorChanged) log.info({ pods: marked }, 'active colour announced to the pods');
    if (modeChanged) {
      const message = `degradation mode ${mode} (was ${announcedMode}): ${marked} pods told`;
      this.deps.events.record(platform, mode === 'Normal' ? 'Normal' : 'Warning', 'ModeChanged', message);
      log.info({ mode, was: announcedMode, pods: marked }, 'degradation mode changed');
    }
    if (announced && flagsChanged(announced, inForce)) {
      const changed = (Object.keys(inForce) as (keyof typeof inForce)[]).filter((name) => announced[name] !== inForce[name]);
      const message = `feature flags changed: ${changed.map((name) => `${name} ${inForce[name] ? 'on' : 'off'}`).join(', ')} (${marked} pods told)`;
      this.deps.events.record(platform, 'Normal', 'FeatureFlagsChanged', message);
      log.info({ changed, pods: marked }, 'feature flags changed');
    }
    return { featureFlags: inForce, degradationMode: mode };
  }

  private async writeStatus(
    platform: PlatformResource,
    components: ObservedComponent[],
    problem: Problem | undefined,
    log: Logger,
    rollout?: RolloutPass,
    scaling?: ScalingStatus,
    secretsVerified?: Condition,
    announced?: AnnouncedSettings,
    health?: PodHealth[],
    backup?: Condition,
    lastBackup?: BackupStatus,
    restored?: Condition,
    certificatesReady?: Condition,
    certificateExpiries?: CertificateExpiry[],
  ): Promise<OwnedStatus> {
    const now = this.deps.now?.() ?? new Date();
    const computed = computeStatus(rollout ? rollout.statusView(platform) : platform, components, problem, now);
    const rolled = rollout ? rollout.status(computed, now) : computed;
    const scaled = scaling ? withScalingStatus(rolled, scaling, platform.status?.conditions, now) : rolled;
    const checked = [secretsVerified, backup, restored, certificatesReady].filter((c): c is Condition => c !== undefined);
    const verified = checked.length > 0 ? { ...scaled, conditions: [...scaled.conditions, ...checked] } : scaled;
    const withHealth = withDegradation(verified, degradationModeOf(platform.spec), health, platform.status?.conditions, now);
    const status: OwnedStatus = {
      ...withHealth,
      ...(announced?.featureFlags && { featureFlags: announced.featureFlags }),
      ...(announced?.degradationMode && { degradationMode: announced.degradationMode }),
      ...(lastBackup && { backup: lastBackup }),
      ...(certificateExpiries && {
        certificates: certificateExpiries.map((e) => ({ name: e.name, notAfter: rfc3339(e.notAfter), serialNumber: e.serialNumber })),
      }),
    };
    if (statusUpToDate(platform.status, status)) return status;
    if (!(await this.patchStatus(platform, status))) return status;
    const wasReady = conditionOf(platform.status, CONDITION_READY)?.status === 'True';
    const ready = conditionOf(status, CONDITION_READY);
    if (ready?.status === 'True' && !wasReady) {
      this.deps.events.record(platform, 'Normal', 'Ready', ready.message, TRANSITION_REPEAT_MS);
      log.info({ version: platform.spec.version }, 'platform is ready');
    }
    const wasDegraded = conditionOf(platform.status, CONDITION_DEGRADED);
    const degraded = conditionOf(status, CONDITION_DEGRADED);
    if (degraded?.status === 'True' && (wasDegraded?.status !== 'True' || wasDegraded.reason !== degraded.reason)) {
      this.deps.events.record(platform, 'Warning', degraded.reason, degraded.message, TRANSITION_REPEAT_MS);
      log.warn({ reason: degraded.reason }, 'platform is degraded');
    }
    // Another server holds external.metrics.k8s.io, or provider keda without KEDA: said once, when it
    // starts (docs/autoscaling.md, "Living beside KEDA and prometheus-adapter").
    const scalingDegraded = conditionOf(status, CONDITION_SCALING_DEGRADED);
    if (
      (scalingDegraded?.reason === REASON_EXTERNAL_METRICS_ELSEWHERE || scalingDegraded?.reason === REASON_KEDA_NOT_INSTALLED) &&
      conditionOf(platform.status, CONDITION_SCALING_DEGRADED)?.reason !== scalingDegraded.reason
    )
      this.deps.events.record(platform, 'Warning', scalingDegraded.reason, scalingDegraded.message);
    // The way back is said too: what was unreachable is reachable again (docs/api.md, "Degradation").
    if (
      wasDegraded?.status === 'True' &&
      wasDegraded.reason === REASON_DEPENDENCY_UNAVAILABLE &&
      degraded?.reason !== REASON_DEPENDENCY_UNAVAILABLE
    ) {
      const recovered = `recovered: ${wasDegraded.message.split(' | ')[0] ?? ''}`;
      this.deps.events.record(platform, 'Normal', 'DependencyRecovered', recovered, TRANSITION_REPEAT_MS);
      log.info('the pods report their dependencies reachable again');
    }
    return status;
  }
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.min(a, b);
}

function identity(object: KubeResource): string {
  return `${object.apiVersion}|${object.kind}|${object.metadata.name}`;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** The error and its causes in one line (API errors name the object and the server's message). */
function describe(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error && parts.length < 4) {
    parts.push(current.message);
    current = current.cause;
  }
  return parts.join(': ').slice(0, 1000);
}
