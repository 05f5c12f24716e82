// spec.backup (docs/backup.md): a CronJob `<platform>-backup` running `main.js backup` from the platform's
// own image, and, with NetworkPolicies on, the egress its pods need (DNS, PostgreSQL, the S3 peers) — the
// platform's default-deny policy selects them too. The job connects as the role that owns the service
// schemas: `migrate-url` under PerComponent credentials, else the shared URL.
import {
  dependencyNetwork,
  dependencySecret,
  dnsPeersOf,
  hasPerComponentCredentials,
  imageFor,
  imagePullPolicyOf,
  logLevelOf,
  MIGRATE_CREDENTIAL_KEY,
  networkPoliciesEnabled,
} from '../api/defaults.js';
import type { Backup, KycPlatform } from '../api/types.js';
import { RUN_AS_USER } from './deployment.js';
import { toPeer } from './networkpolicy.js';
import { storeCaVolumeMounts, storeCaVolumes, storeTlsEnv } from './store-tls.js';
import { objectMeta, selectorLabels, labels, unversionedObjectMeta } from './meta.js';
import type { KubeObject } from './types.js';

export const BACKUP_DEFAULTS = {
  timeZone: 'UTC',
  retentionCount: 7,
  staleAfterMinutes: 1560,
  region: 'us-east-1',
  s3Port: 443,
  keyName: 'backup-key',
} as const;

export function backupName(platform: KycPlatform): string {
  return `${platform.metadata.name}-backup`;
}

function secretEnv(name: string, secret: string, key: string): object {
  return { name, valueFrom: { secretKeyRef: { name: secret, key } } };
}

function env(platform: KycPlatform, backup: Backup): object[] {
  const spec = platform.spec;
  const postgres = dependencySecret(spec, 'postgres');
  const out: object[] = [
    { name: 'KYC_PLATFORM', value: platform.metadata.name },
    { name: 'KYC_VERSION', value: spec.version },
    { name: 'LOG_LEVEL', value: logLevelOf(spec) },
    { name: 'BACKUP_S3_BUCKET', value: backup.bucket },
    { name: 'BACKUP_S3_PREFIX', value: backup.prefix ?? platform.metadata.name },
    { name: 'BACKUP_S3_REGION', value: backup.region ?? BACKUP_DEFAULTS.region },
    { name: 'BACKUP_RETENTION_COUNT', value: String(backup.retentionCount ?? BACKUP_DEFAULTS.retentionCount) },
    {
      name: 'BACKUP_KEY_ID',
      value: `secret:${backup.encryptionKeySecretRef.name}/${backup.encryptionKeySecretRef.key ?? BACKUP_DEFAULTS.keyName}`,
    },
    secretEnv('BACKUP_ENCRYPTION_KEY', backup.encryptionKeySecretRef.name, backup.encryptionKeySecretRef.key ?? BACKUP_DEFAULTS.keyName),
  ];
  if (backup.retentionDays !== undefined)
    out.push({ name: 'BACKUP_RETENTION_MAX_AGE_SECONDS', value: String(backup.retentionDays * 86_400) });
  if (backup.endpoint) out.push({ name: 'BACKUP_S3_ENDPOINT', value: backup.endpoint });
  if (backup.credentialsSecretRef) {
    out.push(secretEnv('BACKUP_S3_ACCESS_KEY_ID', backup.credentialsSecretRef.name, 'access-key-id'));
    out.push(secretEnv('BACKUP_S3_SECRET_ACCESS_KEY', backup.credentialsSecretRef.name, 'secret-access-key'));
  }
  // The owner of the service schemas reads every table; a service's own role reads only its own.
  if (postgres) {
    const key = hasPerComponentCredentials(spec, 'postgres') ? MIGRATE_CREDENTIAL_KEY : postgres.key;
    out.push(secretEnv('DATABASE_URL', postgres.name, key));
    // Verified TLS when PostgreSQL is declared tls: Required (render/store-tls.ts).
    out.push(...storeTlsEnv(spec, undefined, ['postgres']));
  }
  return out;
}

function cronJob(platform: KycPlatform, backup: Backup): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: objectMeta(platform, backupName(platform), 'backup'),
    spec: {
      schedule: backup.schedule,
      timeZone: backup.timeZone ?? BACKUP_DEFAULTS.timeZone,
      suspend: backup.suspend ?? false,
      // Two dumps at once would only compete for the same snapshot work; a late one is skipped, not queued.
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels: labels(platform, 'backup') },
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 6 * 3600,
          ttlSecondsAfterFinished: 7 * 86_400,
          template: {
            metadata: { labels: labels(platform, 'backup') },
            spec: {
              restartPolicy: 'Never',
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              securityContext: {
                runAsNonRoot: true,
                runAsUser: RUN_AS_USER,
                runAsGroup: RUN_AS_USER,
                fsGroup: RUN_AS_USER,
                seccompProfile: { type: 'RuntimeDefault' },
              },
              containers: [
                {
                  name: 'backup',
                  image: imageFor(platform.spec),
                  imagePullPolicy: imagePullPolicyOf(platform.spec),
                  args: ['backup', 'run'],
                  env: [...env(platform, backup), { name: 'BACKUP_WORK_DIR', value: '/work' }],
                  resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
                  securityContext: {
                    runAsNonRoot: true,
                    runAsUser: RUN_AS_USER,
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ['ALL'] },
                    seccompProfile: { type: 'RuntimeDefault' },
                  },
                  // The encrypted dump is written here before its upload (S3 needs its length up front).
                  volumeMounts: [{ name: 'work', mountPath: '/work' }, ...storeCaVolumeMounts(platform.spec, undefined, ['postgres'])],
                },
              ],
              volumes: [{ name: 'work', emptyDir: {} }, ...storeCaVolumes(platform.spec, undefined, ['postgres'])],
            },
          },
        },
      },
    },
  };
}

function networkPolicy(platform: KycPlatform, backup: Backup): KubeObject {
  const spec = platform.spec;
  const tcp = (ports: readonly number[]): object[] => ports.map((port) => ({ protocol: 'TCP', port }));
  const egress: object[] = [{ to: dnsPeersOf(spec).map(toPeer), ports: [{ protocol: 'UDP', port: 53 }, ...tcp([53])] }];
  const postgres = dependencyNetwork(spec, 'postgres');
  // No peers: no rule (a rule without `to` would admit every destination): fail closed.
  if (postgres.peers.length > 0) egress.push({ to: postgres.peers.map(toPeer), ports: tcp(postgres.ports) });
  const s3Peers = backup.networkPeers ?? [];
  if (s3Peers.length > 0)
    egress.push({ to: s3Peers.map(toPeer), ports: tcp(backup.ports?.length ? backup.ports : [BACKUP_DEFAULTS.s3Port]) });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: unversionedObjectMeta(platform, backupName(platform), 'backup'),
    spec: { podSelector: { matchLabels: selectorLabels(platform, 'backup') }, policyTypes: ['Ingress', 'Egress'], ingress: [], egress },
  };
}

/** The backup CronJob; none without spec.backup. */
export function renderBackupCronJob(platform: KycPlatform): KubeObject | undefined {
  return platform.spec.backup && cronJob(platform, platform.spec.backup);
}

/** The backup pods' NetworkPolicy; none without spec.backup or with NetworkPolicies off. */
export function renderBackupNetworkPolicy(platform: KycPlatform): KubeObject | undefined {
  const backup = platform.spec.backup;
  return backup && networkPoliciesEnabled(platform.spec) ? networkPolicy(platform, backup) : undefined;
}
