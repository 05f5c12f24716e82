// Condition BackupHealthy (docs/backup.md, "Status"), from the backup CronJob's own status: its last
// successful run and its last scheduled one. Pure: the CronJob as the pass saw it, and the clock.
import { setCondition } from '../api/conditions.js';
import type { Condition, KycPlatform } from '../api/types.js';
import { BACKUP_DEFAULTS } from '../render/backup.js';

export const CONDITION_BACKUP_HEALTHY = 'BackupHealthy';

export interface CronJobView {
  metadata: { creationTimestamp?: string };
  status?: { lastScheduleTime?: string; lastSuccessfulTime?: string; active?: unknown[] };
}

const time = (value: string | undefined): number | undefined => (value ? Date.parse(value) : undefined);

/** The longest timed wait the operator asks for: a Node timer beyond 2^31-1 ms fires at once, and a re-check twice a day costs nothing. */
export const BACKUP_RECHECK_CAP_MS = 12 * 3_600_000;

/** When staleness is measured from: the last success, else the CronJob's creation (none has succeeded yet). */
function staleness(backup: NonNullable<KycPlatform['spec']['backup']>, cronJob: CronJobView | undefined, now: Date) {
  const staleMs = (backup.staleAfterMinutes ?? BACKUP_DEFAULTS.staleAfterMinutes) * 60_000;
  const since = time(cronJob?.status?.lastSuccessfulTime) ?? time(cronJob?.metadata.creationTimestamp) ?? now.getTime();
  return { staleMs, since };
}

/**
 * How long until BackupHealthy must be looked at again although nothing in the cluster changed: the moment
 * the last success grows older than staleAfterMinutes (the next expected backup plus its grace). A new run,
 * a success or a failure changes the CronJob's status, which the operator watches; only the passing of time
 * is not an event. Undefined when there is no backup or the condition is already stale (only a run can end that).
 */
export function backupRecheckInMs(platform: KycPlatform, cronJob: CronJobView | undefined, now: Date): number | undefined {
  const backup = platform.spec.backup;
  if (!backup) return undefined;
  const { staleMs, since } = staleness(backup, cronJob, now);
  const remaining = since + staleMs - now.getTime();
  if (remaining < 0) return undefined;
  // One second past the bound: the condition compares with "longer than", and the timer must land after it.
  return Math.min(remaining + 1_000, BACKUP_RECHECK_CAP_MS);
}

export function backupCondition(platform: KycPlatform, cronJob: CronJobView | undefined, now: Date): Condition | undefined {
  const backup = platform.spec.backup;
  if (!backup) return undefined;
  const { staleMs, since } = staleness(backup, cronJob, now);
  const lastSuccess = time(cronJob?.status?.lastSuccessfulTime);
  const lastSchedule = time(cronJob?.status?.lastScheduleTime);
  const running = (cronJob?.status?.active?.length ?? 0) > 0;
  const base = { type: CONDITION_BACKUP_HEALTHY, observedGeneration: platform.metadata.generation ?? 0 };
  const successText =
    lastSuccess === undefined ? 'no backup has succeeded yet' : `last successful backup at ${new Date(lastSuccess).toISOString()}`;
  let next: Omit<Condition, 'lastTransitionTime'>;
  if (now.getTime() - since > staleMs)
    next = { ...base, status: 'False', reason: 'BackupStale', message: `${successText}, longer ago than staleAfterMinutes allows` };
  else if (lastSchedule !== undefined && (lastSuccess === undefined || lastSchedule > lastSuccess) && !running)
    next = {
      ...base,
      status: 'False',
      reason: 'BackupFailed',
      message: `the backup scheduled at ${new Date(lastSchedule).toISOString()} did not succeed (see the Job's log); ${successText}`,
    };
  else if (lastSuccess === undefined) next = { ...base, status: 'Unknown', reason: 'NoBackupYet', message: successText };
  else next = { ...base, status: 'True', reason: 'BackupSucceeded', message: successText };
  return setCondition(platform.status?.conditions, next, now);
}
