import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import type { Backup, KycPlatform } from '../api/types.js';
import { renderBackupCronJob } from './backup.js';
import { renderRestoreJob, restoreJobName, restoreRequestOf, type RestoreRequest } from './restore.js';

const backup: Backup = { schedule: '30 2 * * *', bucket: 'kyc-backups', encryptionKeySecretRef: { name: 'kyc-backup-key' } };
const annotated = (annotations: Record<string, string>, spec: Partial<KycPlatform['spec']> = { backup }): KycPlatform => {
  const p = platform(spec);
  return { ...p, metadata: { ...p.metadata, annotations } };
};
const id = '2026-12-05T02-30-00-123Z';

type Container = {
  name: string;
  args: string[];
  env: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[];
};
type JobSpec = {
  backoffLimit: number;
  ttlSecondsAfterFinished?: number;
  template: { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } };
};
const jobSpec = (object: unknown): JobSpec => (object as { spec: JobSpec }).spec;

describe('the restore the annotations ask for', () => {
  it('when none is asked for, then none', () => {
    expect(restoreRequestOf(annotated({}))).toBeUndefined();
  });

  it('when asked with a backup id and a target Secret, then that request (key url by default, not forced)', () => {
    expect(restoreRequestOf(annotated({ 'kyc.dev/restore': id, 'kyc.dev/restore-into': 'kyc-restored-db' }))).toEqual({
      backup: id,
      secret: 'kyc-restored-db',
      key: 'url',
      force: false,
    });
    expect(
      restoreRequestOf(
        annotated({ 'kyc.dev/restore': 'latest', 'kyc.dev/restore-into': 'kyc-postgres/migrate-url', 'kyc.dev/restore-force': 'true' }),
      ),
    ).toEqual({ backup: 'latest', secret: 'kyc-postgres', key: 'migrate-url', force: true });
  });

  it('when the target, the backup id or spec.backup is missing or malformed, then the request is invalid and says why', () => {
    expect(restoreRequestOf(annotated({ 'kyc.dev/restore': id }))).toEqual({
      invalid: expect.stringContaining('kyc.dev/restore-into is missing'),
    });
    expect(restoreRequestOf(annotated({ 'kyc.dev/restore': 'yesterday', 'kyc.dev/restore-into': 's' }))).toEqual({
      invalid: expect.stringContaining('neither a backup id'),
    });
    expect(restoreRequestOf(annotated({ 'kyc.dev/restore': id, 'kyc.dev/restore-into': 'a/b/c' }))).toEqual({
      invalid: expect.stringContaining('not <secret>[/<key>]'),
    });
    expect(restoreRequestOf(annotated({ 'kyc.dev/restore': id, 'kyc.dev/restore-into': 's' }, {}))).toEqual({
      invalid: expect.stringContaining('needs spec.backup'),
    });
  });
});

describe('renderRestoreJob', () => {
  const request: RestoreRequest = { backup: id, secret: 'kyc-restored-db', key: 'url', force: false };

  it('when asked, then a Job runs `backup restore <id>` with the backup job template and the target URL from the Secret, once', () => {
    const p = platform({ backup });
    const job = renderRestoreJob(p, request);
    const cron = renderBackupCronJob(p) as unknown as { spec: { jobTemplate: { spec: JobSpec } } };
    const spec = jobSpec(job);
    const [container] = spec.template.spec.containers;
    expect(job?.metadata.name).toMatch(/^acme-restore-[0-9a-f]{10}$/);
    expect(container?.name).toBe('restore');
    expect(container?.args).toEqual(['backup', 'restore', id]);
    expect(container?.env).toEqual([
      ...(cron.spec.jobTemplate.spec.template.spec.containers[0]?.env ?? []),
      { name: 'RESTORE_DATABASE_URL', valueFrom: { secretKeyRef: { name: 'kyc-restored-db', key: 'url' } } },
    ]);
    // Not retried by itself, kept as the record, reached by the backup pods' egress policy.
    expect(spec.backoffLimit).toBe(0);
    expect(spec.ttlSecondsAfterFinished).toBeUndefined();
    expect(spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/component': 'backup', 'kyc.dev/job': 'restore' });
    // Neither cached nor pruned by the operator's informers; gone with the platform.
    expect(job?.metadata.labels?.['app.kubernetes.io/managed-by']).toBeUndefined();
    expect(job?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'KycPlatform', name: 'acme' });
    expect(job?.metadata.annotations).toEqual({
      'kyc.dev/restore': id,
      'kyc.dev/restore-into': 'kyc-restored-db/url',
      'kyc.dev/restore-force': 'false',
    });
  });

  it('when forced, then --force, and a Job of its own name (a new request is a new Job; the same request the same)', () => {
    const p = platform({ backup });
    const forced = { ...request, force: true };
    expect(jobSpec(renderRestoreJob(p, forced)).template.spec.containers[0]?.args).toEqual(['backup', 'restore', id, '--force']);
    expect(restoreJobName(p, forced)).not.toBe(restoreJobName(p, request));
    expect(restoreJobName(p, { ...request })).toBe(restoreJobName(p, request));
  });

  it('when spec.backup is absent, then no Job', () => {
    expect(renderRestoreJob(platform(), request)).toBeUndefined();
  });
});
