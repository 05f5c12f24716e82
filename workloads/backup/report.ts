// What a finished backup tells the operator (docs/backup.md, "Status"): one JSON line in the container's
// termination message, which the kubelet copies into the pod's status. The operator reads it from there and
// needs neither the bucket's credentials nor the backup key (operator/src/reconcile/backup-report.ts parses it).
import { writeFileSync } from 'node:fs';

/** Kubernetes' default terminationMessagePath. */
export const TERMINATION_LOG = '/dev/termination-log';

export interface BackupReport {
  id: string;
  bucket: string;
  key: string;
  bytes: number;
  tables: number;
  rows: number;
}

/** The termination message: `{"backup":{…}}`, well under the kubelet's 4 KiB. */
export const reportMessage = (report: BackupReport): string =>
  JSON.stringify({
    backup: {
      id: report.id,
      bucket: report.bucket,
      key: report.key,
      bytes: report.bytes,
      tables: report.tables,
      rows: report.rows,
    },
  });

/** Writes `message` where the kubelet reads it; outside a pod (no such file) nothing is written. */
export function writeTerminationMessage(message: string, path = TERMINATION_LOG): boolean {
  try {
    // r+: only into the file the kubelet mounted, never creating one on a developer's machine.
    writeFileSync(path, message.slice(0, 4000), { flag: 'r+' });
    return true;
  } catch {
    return false;
  }
}

/** Writes the backup's report where the kubelet reads it. */
export const writeTerminationReport = (report: BackupReport, path = TERMINATION_LOG): boolean =>
  writeTerminationMessage(reportMessage(report), path);
