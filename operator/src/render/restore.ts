// An in-cluster restore (docs/backup.md, "Restore in the cluster"), asked for with annotations on the
// platform:
//   kyc.dev/restore: <backup id> | latest        which backup (status.backup.id names the last one)
//   kyc.dev/restore-into: <secret>[/<key>]       the target database's URL (key default `url`)
//   kyc.dev/restore-force: "true"                replace the service schemas the target already has
// The Job is the backup CronJob's own job template (same image, bucket, key, security context, egress
// policy: its pods carry the backup labels) running `backup restore <id>` instead. Its name is a digest
// of the request, so one request makes one Job however many passes see it; a restore is never retried
// by itself (backoffLimit 0: a second attempt would find the first one's schemas and be refused anyway).
import { createHash } from 'node:crypto';
import type { KycPlatform } from '../api/types.js';
import { renderBackupCronJob } from './backup.js';
import { MANAGED_BY, namespaceOf, ownerReference } from './meta.js';
import type { KubeObject } from './types.js';

export const RESTORE_ANNOTATION = 'kyc.dev/restore';
export const RESTORE_INTO_ANNOTATION = 'kyc.dev/restore-into';
export const RESTORE_FORCE_ANNOTATION = 'kyc.dev/restore-force';
/** Marks the restore Job and its pods (they also carry the backup component's labels, for its NetworkPolicy). */
export const RESTORE_JOB_LABEL = 'kyc.dev/job';
const DEFAULT_URL_KEY = 'url';

export interface RestoreRequest {
  backup: string;
  secret: string;
  key: string;
  force: boolean;
}

const BACKUP_ID = /^(latest|\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)$/;
const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

/** The restore the annotations ask for; `{ invalid }` says what is wrong; undefined when none is asked for. */
export function restoreRequestOf(platform: KycPlatform): RestoreRequest | { invalid: string } | undefined {
  const annotations = platform.metadata.annotations ?? {};
  const backup = annotations[RESTORE_ANNOTATION]?.trim();
  if (!backup) return undefined;
  if (!platform.spec.backup) return { invalid: `${RESTORE_ANNOTATION} needs spec.backup: the bucket and the key to restore from` };
  if (!BACKUP_ID.test(backup))
    return { invalid: `${RESTORE_ANNOTATION}: "${backup}" is neither a backup id (e.g. 2026-12-05T02-30-00-123Z) nor latest` };
  const into = annotations[RESTORE_INTO_ANNOTATION]?.trim();
  // No default target: the platform's own database is a choice to write down, never an accident.
  if (!into)
    return { invalid: `${RESTORE_INTO_ANNOTATION} is missing: name the Secret holding the target database's URL (<secret>[/<key>])` };
  const [secret = '', key = DEFAULT_URL_KEY, ...rest] = into.split('/');
  if (rest.length > 0 || !SECRET_NAME.test(secret) || !SECRET_KEY.test(key))
    return { invalid: `${RESTORE_INTO_ANNOTATION}: "${into}" is not <secret>[/<key>]` };
  return { backup, secret, key, force: annotations[RESTORE_FORCE_ANNOTATION] === 'true' };
}

/** `<platform>-restore-<digest of the request>`: the same request, the same Job. */
export function restoreJobName(platform: KycPlatform, request: RestoreRequest): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([request.backup, request.secret, request.key, request.force]))
    .digest('hex')
    .slice(0, 10);
  return `${platform.metadata.name}-restore-${digest}`;
}

interface JobTemplate {
  metadata: { labels: Record<string, string> };
  spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: Record<string, unknown>[] } } } & Record<
    string,
    unknown
  >;
}

/** The restore Job for `request`; undefined without spec.backup. */
export function renderRestoreJob(platform: KycPlatform, request: RestoreRequest): KubeObject | undefined {
  const cronJob = renderBackupCronJob(platform);
  if (!cronJob) return undefined;
  const template = structuredClone((cronJob.spec as { jobTemplate: JobTemplate }).jobTemplate);
  const [container] = template.spec.template.spec.containers;
  if (!container) return undefined;
  const podLabels = { ...template.spec.template.metadata.labels, [RESTORE_JOB_LABEL]: 'restore' };
  // Without the managed-by label the operator's informers neither cache nor prune it: it outlives the
  // annotations as the record of what was done, and goes with the platform (owner reference).
  const jobLabels = Object.fromEntries(
    Object.entries({ ...template.metadata.labels, [RESTORE_JOB_LABEL]: 'restore' }).filter(
      ([name, value]) => !(name === 'app.kubernetes.io/managed-by' && value === MANAGED_BY),
    ),
  );
  // Kept until someone deletes it or the platform: the Job is the record the condition is read from.
  const { ttlSecondsAfterFinished: _ttl, ...jobSpec } = template.spec;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: restoreJobName(platform, request),
      namespace: namespaceOf(platform),
      labels: jobLabels,
      annotations: {
        [RESTORE_ANNOTATION]: request.backup,
        [RESTORE_INTO_ANNOTATION]: `${request.secret}/${request.key}`,
        [RESTORE_FORCE_ANNOTATION]: String(request.force),
      },
      ownerReferences: [ownerReference(platform)],
    },
    spec: {
      ...jobSpec,
      backoffLimit: 0,
      template: {
        ...template.spec.template,
        metadata: { labels: podLabels },
        spec: {
          ...template.spec.template.spec,
          containers: [
            {
              ...container,
              name: 'restore',
              args: ['backup', 'restore', request.backup, ...(request.force ? ['--force'] : [])],
              env: [
                ...((container.env as object[] | undefined) ?? []),
                { name: 'RESTORE_DATABASE_URL', valueFrom: { secretKeyRef: { name: request.secret, key: request.key } } },
              ],
            },
          ],
        },
      },
    },
  };
}
