// The in-cluster restore (docs/backup.md, "Restore in the cluster"): a pass that finds kyc.dev/restore on
// a platform creates the request's Job once (render/restore.ts) and reports condition Restored from it, with
// an Event at each change. Jobs are not watched by the operator (its informers leave the restore Job alone),
// so while one runs the platform is looked at again every RESTORE_POLL_MS.
import { setCondition } from '../api/conditions.js';
import type { Condition, KycPlatform } from '../api/types.js';
import { renderRestoreJob, restoreJobName, restoreRequestOf, type RestoreRequest } from '../render/restore.js';
import type { EventSink } from '../runtime/events.js';
import { isConflict, type KubeClient, type KubeResource, type ResourceType } from '../runtime/kube.js';
import { POD } from './resources.js';

export const CONDITION_RESTORED = 'Restored';
export const RESTORE_POLL_MS = 10_000;
const JOB: ResourceType = { apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true };

export interface RestoreJobView {
  metadata: { name: string };
  status?: { active?: number; succeeded?: number; failed?: number };
}
interface RestorePodView {
  status?: { containerStatuses?: { name?: string; state?: { terminated?: { message?: string } } }[] };
}

/** What the restore pod said when it stopped: its result (`{"restore":{…}}`) or why it failed. */
export function restorePodMessage(pods: readonly RestorePodView[]): string | undefined {
  for (const pod of pods) {
    const message = pod.status?.containerStatuses?.find((s) => s.name === 'restore')?.state?.terminated?.message;
    if (message) return message;
  }
  return undefined;
}

function describeResult(message: string | undefined): string {
  try {
    const { restore } = JSON.parse(message ?? '') as { restore?: { id?: string; tables?: number; rows?: number; replaced?: string[] } };
    if (restore) {
      const replaced = restore.replaced?.length ? `, replacing ${restore.replaced.join(', ')}` : '';
      return `backup ${restore.id} restored and verified: ${restore.tables} tables, ${restore.rows} rows${replaced}`;
    }
  } catch {
    // not the result: fall through
  }
  return 'restored (the pod reported no result)';
}

/**
 * Condition Restored, pure: the request (or why it is invalid), the request's Job as last read (undefined:
 * just created) and its pod's termination message. Undefined when nothing was ever asked for.
 */
export function restoreCondition(
  platform: KycPlatform,
  request: RestoreRequest | { invalid: string } | undefined,
  job: RestoreJobView | undefined,
  podMessage: string | undefined,
  now: Date,
): Condition | undefined {
  const previous = platform.status?.conditions?.find((c) => c.type === CONDITION_RESTORED);
  // The annotations removed: the last outcome stays in status as the record.
  if (!request) return previous;
  const base = { type: CONDITION_RESTORED, observedGeneration: platform.metadata.generation ?? 0 };
  let next: Omit<Condition, 'lastTransitionTime'>;
  if ('invalid' in request) next = { ...base, status: 'False', reason: 'RestoreInvalid', message: request.invalid };
  else {
    const name = job?.metadata.name ?? restoreJobName(platform, request);
    const where = `into Secret ${request.secret}/${request.key}${request.force ? ' (forced)' : ''}`;
    if ((job?.status?.succeeded ?? 0) > 0)
      next = { ...base, status: 'True', reason: 'RestoreSucceeded', message: `${describeResult(podMessage)} ${where} by Job ${name}` };
    else if ((job?.status?.failed ?? 0) > 0)
      next = {
        ...base,
        status: 'False',
        reason: 'RestoreFailed',
        message: `Job ${name} restoring ${request.backup} ${where} failed: ${(podMessage ?? 'see its log').slice(0, 600)}`,
      };
    else next = { ...base, status: 'Unknown', reason: 'RestoreRunning', message: `Job ${name} restores ${request.backup} ${where}` };
  }
  return setCondition(platform.status?.conditions, next, now);
}

export interface RestoreObservation {
  condition: Condition | undefined;
  requeueAfterMs: number | undefined;
}

/** The cluster side: creates the request's Job when it does not exist, reads it and its pod. */
export class RestoreJobs {
  constructor(
    private readonly client: KubeClient,
    private readonly events: EventSink,
  ) {}

  async observe(platform: KycPlatform & KubeResource, now: Date): Promise<RestoreObservation> {
    const request = restoreRequestOf(platform);
    let job: RestoreJobView | undefined;
    let podMessage: string | undefined;
    const namespace = platform.metadata.namespace ?? '';
    if (request && !('invalid' in request)) {
      const name = restoreJobName(platform, request);
      job = await this.client.get<KubeResource & RestoreJobView>(JOB, namespace, name);
      const previous = platform.status?.conditions?.find((c) => c.type === CONDITION_RESTORED);
      // The Job deleted after it finished, the annotations left: its outcome stands, and the restore does not
      // run a second time (a forced one would replace what was written since).
      if (!job && previous && previous.reason !== 'RestoreRunning' && previous.message.includes(`Job ${name}`))
        return { condition: previous, requeueAfterMs: undefined };
      if (!job) {
        const desired = renderRestoreJob(platform, request);
        if (desired) {
          try {
            await this.client.create(JOB, namespace, desired);
          } catch (error) {
            // Another pass created it a moment ago: the same request, the same Job.
            if (!isConflict(error)) throw new Error(`create restore Job ${name}`, { cause: error });
          }
        }
      } else if ((job.status?.succeeded ?? 0) > 0 || (job.status?.failed ?? 0) > 0) {
        const pods = await this.client.list<KubeResource & RestorePodView>(POD, namespace, { labelSelector: `job-name=${name}` });
        podMessage = restorePodMessage(pods.items);
      }
    }
    const condition = restoreCondition(platform, request, job, podMessage, now);
    const previous = platform.status?.conditions?.find((c) => c.type === CONDITION_RESTORED);
    if (condition && request && condition.reason !== previous?.reason)
      this.events.record(
        platform,
        condition.reason === 'RestoreFailed' || condition.reason === 'RestoreInvalid' ? 'Warning' : 'Normal',
        condition.reason,
        condition.message,
      );
    return { condition, requeueAfterMs: condition?.reason === 'RestoreRunning' ? RESTORE_POLL_MS : undefined };
  }
}
