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

export function backupCondition(platform: KycPlatform, cronJob: CronJobView | undefined, now: Date): Condition | undefined {
  const backup = platform.spec.backup;
  if (!backup) return undefined;
  const staleMs = (backup.staleAfterMinutes ?? BACKUP_DEFAULTS.staleAfterMinutes) * 60_000;
  const lastSuccess = time(cronJob?.status?.lastSuccessfulTime);
  const lastSchedule = time(cronJob?.status?.lastScheduleTime);
  const running = (cronJob?.status?.active?.length ?? 0) > 0;
  const since = lastSuccess ?? time(cronJob?.metadata.creationTimestamp) ?? now.getTime();
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
