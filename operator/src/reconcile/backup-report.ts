// status.backup (docs/backup.md, "Status"): what the last successful backup Job said of itself in its
// termination message (workloads/backup/report.ts writes `{"backup":{…}}`). Reading the pods needs only the
// operator's own pod read access; the bucket and the backup key stay with the Job. Pure: pods in, status out.
import type { BackupStatus } from '../api/types.js';

interface Terminated {
  message?: string;
  exitCode?: number;
  finishedAt?: string;
}
export interface BackupPodLike {
  metadata?: { name?: string };
  status?: { phase?: string; containerStatuses?: { name?: string; state?: { terminated?: Terminated } }[] };
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isText = (value: unknown, max: number): value is string => typeof value === 'string' && value.length > 0 && value.length <= max;

/** The report in a termination message, or undefined when the message is not one (a failure's reason, garbage). */
export function parseBackupReport(message: string | undefined): Omit<BackupStatus, 'lastSuccessfulTime'> | undefined {
  if (!message) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return undefined;
  }
  const report = (parsed as { backup?: Record<string, unknown> } | null)?.backup;
  if (!report || typeof report !== 'object') return undefined;
  const { id, bucket, key, bytes, tables, rows } = report;
  // Bounds of the status schema: a report that would not fit is not written at all.
  if (!isText(id, 64) || !isText(bucket, 63) || !isText(key, 1024) || !isCount(bytes) || !isCount(tables) || !isCount(rows))
    return undefined;
  return { id, bucket, key, bytes, tables, rows };
}

/**
 * The newest report among the backup pods that succeeded (a Job's retried pod that failed says nothing),
 * stamped with the CronJob's last successful time. Undefined when none of them carries one (pods already
 * gone with their Jobs' history, or an image that does not write reports yet).
 */
export function latestBackupReport(pods: readonly BackupPodLike[], lastSuccessfulTime: string): BackupStatus | undefined {
  let best: { at: string; report: Omit<BackupStatus, 'lastSuccessfulTime'> } | undefined;
  for (const pod of pods) {
    if (pod.status?.phase !== 'Succeeded') continue;
    const terminated = pod.status.containerStatuses?.find((s) => s.name === 'backup')?.state?.terminated;
    if (terminated?.exitCode !== 0) continue;
    const report = parseBackupReport(terminated.message);
    const at = terminated.finishedAt ?? '';
    if (report && (!best || at > best.at)) best = { at, report };
  }
  return best && { lastSuccessfulTime, ...best.report };
}

/** Whether the pods must be read: a success newer than the one status describes (one list per new backup, not per pass). */
export function backupReportOutdated(previous: BackupStatus | undefined, lastSuccessfulTime: string | undefined): boolean {
  return lastSuccessfulTime !== undefined && previous?.lastSuccessfulTime !== lastSuccessfulTime;
}
