import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import { backupCondition } from './backup-status.js';

const now = new Date('2026-12-05T12:00:00Z');
const hoursAgo = (hours: number): string => new Date(now.getTime() - hours * 3_600_000).toISOString();
const withBackup = platform({ backup: { schedule: '0 2 * * *', bucket: 'b', encryptionKeySecretRef: { name: 'k' } } });
const cron = (status: Record<string, unknown>, createdHoursAgo = 100) => ({
  metadata: { creationTimestamp: hoursAgo(createdHoursAgo) },
  status,
});

describe('BackupHealthy', () => {
  it('when spec.backup is absent, then there is no condition', () => {
    expect(backupCondition(platform(), undefined, now)).toBeUndefined();
  });

  it('when the last run succeeded within the bound, then True with its time', () => {
    const c = backupCondition(withBackup, cron({ lastScheduleTime: hoursAgo(10), lastSuccessfulTime: hoursAgo(9.9) }), now);
    expect(c).toMatchObject({ status: 'True', reason: 'BackupSucceeded', message: `last successful backup at ${hoursAgo(9.9)}` });
  });

  it('when the latest scheduled run ended after the last success and nothing runs, then False BackupFailed', () => {
    const c = backupCondition(withBackup, cron({ lastScheduleTime: hoursAgo(1), lastSuccessfulTime: hoursAgo(25) }), now);
    expect(c).toMatchObject({ status: 'False', reason: 'BackupFailed' });
    const running = backupCondition(
      withBackup,
      cron({ lastScheduleTime: hoursAgo(1), lastSuccessfulTime: hoursAgo(25), active: [{}] }),
      now,
    );
    expect(running?.status).toBe('True');
  });

  it('when the last success is older than staleAfterMinutes (default 26 h), then False BackupStale', () => {
    expect(backupCondition(withBackup, cron({ lastSuccessfulTime: hoursAgo(27) }), now)).toMatchObject({
      status: 'False',
      reason: 'BackupStale',
    });
  });

  it('when none has run yet, then Unknown until the bound has passed since the CronJob was made, then BackupStale', () => {
    expect(backupCondition(withBackup, cron({}, 1), now)).toMatchObject({ status: 'Unknown', reason: 'NoBackupYet' });
    expect(backupCondition(withBackup, cron({}, 30), now)).toMatchObject({ status: 'False', reason: 'BackupStale' });
  });
});
