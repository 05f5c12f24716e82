import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import { BACKUP_RECHECK_CAP_MS, backupCondition, backupRecheckInMs } from './backup-status.js';

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

describe('when BackupHealthy is looked at again without a cluster event', () => {
  it('when spec.backup is absent, then never', () => {
    expect(backupRecheckInMs(platform(), undefined, now)).toBeUndefined();
  });

  it('when the last success is fresh, then one second after it grows older than staleAfterMinutes, and stale then', () => {
    const cronJob = cron({ lastSuccessfulTime: hoursAgo(20) });
    const wait = backupRecheckInMs(withBackup, cronJob, now);
    expect(wait).toBe(6 * 3_600_000 + 1_000);
    expect(backupCondition(withBackup, cronJob, new Date(now.getTime() + (wait ?? 0)))?.reason).toBe('BackupStale');
    expect(backupCondition(withBackup, cronJob, new Date(now.getTime() + (wait ?? 0) - 2_000))?.reason).toBe('BackupSucceeded');
  });

  it('when none has succeeded yet, then counted from the CronJob creation', () => {
    expect(backupRecheckInMs(withBackup, cron({}, 25), now)).toBe(3_600_000 + 1_000);
  });

  it('when the bound is far away, then at most twice a day (a Node timer beyond 24.8 days fires at once)', () => {
    const yearly = platform({
      backup: { schedule: '0 2 1 1 *', staleAfterMinutes: 400 * 24 * 60, bucket: 'b', encryptionKeySecretRef: { name: 'k' } },
    });
    expect(backupRecheckInMs(yearly, cron({ lastSuccessfulTime: hoursAgo(1) }), now)).toBe(BACKUP_RECHECK_CAP_MS);
  });

  it('when already stale, then only a new run (a watched CronJob change) can end it: no timed wait', () => {
    expect(backupRecheckInMs(withBackup, cron({ lastSuccessfulTime: hoursAgo(27) }), now)).toBeUndefined();
  });
});
