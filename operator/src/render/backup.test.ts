import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import type { Backup } from '../api/types.js';
import { renderBackupCronJob, renderBackupNetworkPolicy } from './backup.js';
import { renderPlatform } from './index.js';

const backup: Backup = { schedule: '30 2 * * *', bucket: 'kyc-backups', encryptionKeySecretRef: { name: 'kyc-backup-key' } };

type Container = { args: string[]; env: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[] };
const container = (object: unknown): Container =>
  (object as { spec: { jobTemplate: { spec: { template: { spec: { containers: Container[] } } } } } }).spec.jobTemplate.spec.template.spec
    .containers[0] as Container;
const envOf = (object: unknown): Record<string, unknown> =>
  Object.fromEntries(container(object).env.map((e) => [e.name, e.value ?? e.valueFrom?.secretKeyRef]));

describe('renderBackup', () => {
  it('when spec.backup is absent, then there is no CronJob and no backup policy', () => {
    const p = platform();
    expect(renderBackupCronJob(p)).toBeUndefined();
    expect(renderBackupNetworkPolicy(p)).toBeUndefined();
    expect(renderPlatform(p).filter((o) => o.kind === 'CronJob')).toEqual([]);
  });

  it('when set, then a CronJob runs `backup run` from the platform image on the schedule in its time zone, one at a time', () => {
    const cron = renderBackupCronJob(platform({ backup: { ...backup, timeZone: 'Asia/Kolkata' } }));
    expect(cron?.metadata.name).toBe('acme-backup');
    expect(cron?.metadata.labels?.['app.kubernetes.io/component']).toBe('backup');
    expect(cron?.spec).toMatchObject({ schedule: '30 2 * * *', timeZone: 'Asia/Kolkata', suspend: false, concurrencyPolicy: 'Forbid' });
    expect(container(cron).args).toEqual(['backup', 'run']);
    expect(
      (cron?.spec as { jobTemplate: { spec: { template: { spec: { containers: { image: string }[] } } } } }).jobTemplate.spec.template.spec
        .containers[0]?.image,
    ).toBe('kyc-operator/workloads:1.4.2');
  });

  it('when defaults apply, then the prefix is the platform name, 7 backups are kept and the key comes from the Secret key backup-key', () => {
    const env = envOf(renderBackupCronJob(platform({ backup })));
    expect(env).toMatchObject({
      BACKUP_S3_BUCKET: 'kyc-backups',
      BACKUP_S3_PREFIX: 'acme',
      BACKUP_S3_REGION: 'us-east-1',
      BACKUP_RETENTION_COUNT: '7',
      BACKUP_ENCRYPTION_KEY: { name: 'kyc-backup-key', key: 'backup-key' },
      DATABASE_URL: { name: 'kyc-postgres', key: 'url' },
    });
    expect(env).not.toHaveProperty('BACKUP_RETENTION_MAX_AGE_SECONDS');
    expect(env).not.toHaveProperty('BACKUP_S3_ACCESS_KEY_ID');
  });

  it('when retention days, an endpoint and credentials are set, then the job gets them, the credentials by secretKeyRef', () => {
    const env = envOf(
      renderBackupCronJob(
        platform({
          backup: { ...backup, retentionDays: 30, endpoint: 'http://s3.storage:8333', credentialsSecretRef: { name: 's3-creds' } },
        }),
      ),
    );
    expect(env).toMatchObject({
      BACKUP_RETENTION_MAX_AGE_SECONDS: String(30 * 86_400),
      BACKUP_S3_ENDPOINT: 'http://s3.storage:8333',
      BACKUP_S3_ACCESS_KEY_ID: { name: 's3-creds', key: 'access-key-id' },
      BACKUP_S3_SECRET_ACCESS_KEY: { name: 's3-creds', key: 'secret-access-key' },
    });
  });

  it('when PostgreSQL has per-component credentials, then the backup connects as the owner role (migrate-url), which reads every schema', () => {
    const p = platform({ backup });
    const postgres = { secretRef: { name: 'kyc-postgres' }, credentials: 'PerComponent' as const };
    const env = envOf(renderBackupCronJob(platform({ backup, dependencies: { ...p.spec.dependencies, postgres } })));
    expect(env.DATABASE_URL).toEqual({ name: 'kyc-postgres', key: 'migrate-url' });
  });

  it('when NetworkPolicies are on, then the backup pods may reach DNS, PostgreSQL and the S3 peers only; without S3 peers, no S3 rule (fail closed)', () => {
    const s3 = { ipBlock: { cidr: '10.0.0.5/32' } };
    const pg = { ipBlock: { cidr: '10.0.0.9/32' } };
    const p = platform({ backup: { ...backup, networkPeers: [s3], ports: [8333] } });
    p.spec.dependencies = { ...p.spec.dependencies, postgres: { secretRef: { name: 'kyc-postgres' }, networkPeers: [pg] } };
    const policy = renderBackupNetworkPolicy(p)?.spec as {
      podSelector: unknown;
      egress: { to: unknown[]; ports: unknown[] }[];
      ingress: unknown[];
    };
    expect(policy.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/instance': 'acme', 'app.kubernetes.io/component': 'backup' } });
    expect(policy.ingress).toEqual([]);
    expect(policy.egress.slice(1)).toEqual([
      { to: [pg], ports: [{ protocol: 'TCP', port: 5432 }] },
      { to: [s3], ports: [{ protocol: 'TCP', port: 8333 }] },
    ]);
    const closed = renderBackupNetworkPolicy(platform({ backup }))?.spec as { egress: unknown[] };
    expect(closed.egress).toHaveLength(1);
    expect(renderBackupNetworkPolicy(platform({ backup, security: { networkPolicies: false } }))).toBeUndefined();
  });
});
