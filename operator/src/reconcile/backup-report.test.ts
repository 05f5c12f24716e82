import { describe, expect, it } from '@jest/globals';
import { backupReportOutdated, latestBackupReport, parseBackupReport, type BackupPodLike } from './backup-report.js';

const report = {
  id: '2026-12-05T02-30-00-123Z',
  bucket: 'kyc-backups',
  key: 'acme/2026-12-05T02-30-00-123Z/data.kycbak',
  bytes: 1234,
  tables: 21,
  rows: 99,
};
const pod = (phase: string, message: string | undefined, finishedAt: string, exitCode = phase === 'Succeeded' ? 0 : 1): BackupPodLike => ({
  status: { phase, containerStatuses: [{ name: 'backup', state: { terminated: { exitCode, message, finishedAt } } }] },
});
const at = '2026-12-05T02:31:00Z';

describe('the backup report in status', () => {
  it('when the message is the report, then its id, bucket, key, size, tables and rows', () => {
    expect(parseBackupReport(JSON.stringify({ backup: report }))).toEqual(report);
  });

  it('when the message is a failure reason, garbage, or a report out of the status bounds, then none', () => {
    expect(parseBackupReport('start-up failed: Error: connect ECONNREFUSED')).toBeUndefined();
    expect(parseBackupReport('null')).toBeUndefined();
    expect(parseBackupReport(JSON.stringify({ backup: { ...report, bytes: -1 } }))).toBeUndefined();
    expect(parseBackupReport(JSON.stringify({ backup: { ...report, key: 'k'.repeat(1025) } }))).toBeUndefined();
    expect(parseBackupReport(JSON.stringify({ backup: { ...report, id: undefined } }))).toBeUndefined();
  });

  it('when several Jobs are kept, then the newest succeeded pod speaks, stamped with the CronJob success time; failed pods are ignored', () => {
    const older = { ...report, id: 'older', bytes: 1 };
    const pods = [
      pod('Succeeded', JSON.stringify({ backup: older }), '2026-12-04T02:31:00Z'),
      pod('Succeeded', JSON.stringify({ backup: report }), '2026-12-05T02:31:00Z'),
      pod('Failed', JSON.stringify({ backup: { ...report, id: 'failed' } }), '2026-12-05T03:00:00Z'),
    ];
    expect(latestBackupReport(pods, at)).toEqual({ lastSuccessfulTime: at, ...report });
  });

  it('when no succeeded pod carries a report (history gone, an older image), then none', () => {
    expect(latestBackupReport([pod('Succeeded', undefined, at)], at)).toBeUndefined();
    expect(latestBackupReport([], at)).toBeUndefined();
  });

  it('when the CronJob reports a success that status does not describe yet, then (and only then) the pods are read', () => {
    expect(backupReportOutdated(undefined, undefined)).toBe(false);
    expect(backupReportOutdated(undefined, at)).toBe(true);
    expect(backupReportOutdated({ lastSuccessfulTime: '2026-12-04T02:31:00Z' }, at)).toBe(true);
    expect(backupReportOutdated({ lastSuccessfulTime: at }, at)).toBe(false);
  });
});
