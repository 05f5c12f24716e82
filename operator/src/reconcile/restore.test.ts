import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import type { Backup, KycPlatform } from '../api/types.js';
import type { KubeResource, ResourceType } from '../runtime/kube.js';
import { FakeKube } from '../runtime/testing/fake-kube.js';
import { POD } from './resources.js';
import { RESTORE_POLL_MS, RestoreJobs, restoreCondition } from './restore.js';
import { RecordingEvents } from './testing/fakes.js';

const JOB: ResourceType = { apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true };
const backup: Backup = { schedule: '30 2 * * *', bucket: 'kyc-backups', encryptionKeySecretRef: { name: 'kyc-backup-key' } };
const id = '2026-12-05T02-30-00-123Z';
const now = new Date('2026-12-05T12:00:00Z');
const asking = (annotations: Record<string, string>, status?: KycPlatform['status']): KycPlatform & KubeResource => {
  const p = platform({ backup });
  return { ...p, metadata: { ...p.metadata, annotations }, ...(status && { status }) };
};
const request = { 'kyc.dev/restore': id, 'kyc.dev/restore-into': 'kyc-restored-db' };

describe('condition Restored', () => {
  it('when nothing was ever asked, then none; when the annotations are removed, then the last outcome stays', () => {
    expect(restoreCondition(asking({}), undefined, undefined, undefined, now)).toBeUndefined();
    const done = { type: 'Restored', status: 'True' as const, reason: 'RestoreSucceeded', message: 'm', lastTransitionTime: 't' };
    expect(restoreCondition(asking({}, { conditions: [done] }), undefined, undefined, undefined, now)).toBe(done);
  });

  it('when the request is invalid, then False RestoreInvalid with why', () => {
    expect(restoreCondition(asking({}), { invalid: 'kyc.dev/restore-into is missing' }, undefined, undefined, now)).toMatchObject({
      status: 'False',
      reason: 'RestoreInvalid',
      message: 'kyc.dev/restore-into is missing',
    });
  });

  it('when the Job failed, then False RestoreFailed with the reason its pod gave (a refusal of a target with data)', () => {
    const refusal = 'start-up failed: RestoreRefusedError: refused: the target database already has the schemas kyc (about 12 rows)';
    const c = restoreCondition(
      asking(request),
      { backup: id, secret: 'kyc-restored-db', key: 'url', force: false },
      { metadata: { name: 'acme-restore-x' }, status: { failed: 1 } },
      refusal,
      now,
    );
    expect(c).toMatchObject({ status: 'False', reason: 'RestoreFailed' });
    expect(c?.message).toContain(refusal);
  });
});

describe('RestoreJobs', () => {
  it('when a restore is asked, then its Job is created once, Restored is RestoreRunning and the pass polls; when it succeeds, then RestoreSucceeded with the counts, one Event each', async () => {
    const api = new FakeKube();
    const events = new RecordingEvents();
    const jobs = new RestoreJobs(api.asClient(), events);
    const p = asking(request);

    const first = await jobs.observe(p, now);
    const [job] = api.peekAll<KubeResource>(JOB, 'kyc-test');
    expect(job?.metadata.name).toMatch(/^acme-restore-[0-9a-f]{10}$/);
    expect(first).toEqual({
      condition: expect.objectContaining({ status: 'Unknown', reason: 'RestoreRunning' }),
      requeueAfterMs: RESTORE_POLL_MS,
    });

    const running = asking(request, { conditions: first.condition ? [first.condition] : [] });
    await jobs.observe(running, now);
    expect(api.peekAll(JOB, 'kyc-test')).toHaveLength(1);
    expect(api.writes.filter((w) => w.kind === 'Job')).toEqual([{ verb: 'create', kind: 'Job', name: job?.metadata.name }]);

    const name = job?.metadata.name ?? '';
    api.setStatus(JOB, 'kyc-test', name, { succeeded: 1 });
    await api.create(POD, 'kyc-test', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${name}-abcde`, namespace: 'kyc-test', labels: { 'job-name': name } },
      status: {
        containerStatuses: [
          { name: 'restore', state: { terminated: { message: JSON.stringify({ restore: { id, tables: 21, rows: 99, replaced: [] } }) } } },
        ],
      },
    });
    const done = await jobs.observe(running, now);
    expect(done.condition).toMatchObject({
      status: 'True',
      reason: 'RestoreSucceeded',
      message: `backup ${id} restored and verified: 21 tables, 99 rows into Secret kyc-restored-db/url by Job ${name}`,
    });
    expect(done.requeueAfterMs).toBeUndefined();
    expect(events.reasons()).toEqual(['RestoreRunning', 'RestoreSucceeded']);
  });

  it('when the request is invalid, then no Job and a Warning', async () => {
    const api = new FakeKube();
    const events = new RecordingEvents();
    const result = await new RestoreJobs(api.asClient(), events).observe(asking({ 'kyc.dev/restore': id }), now);
    expect(api.peekAll(JOB, 'kyc-test')).toEqual([]);
    expect(result.condition?.reason).toBe('RestoreInvalid');
    expect(events.recorded).toEqual([expect.objectContaining({ type: 'Warning', reason: 'RestoreInvalid' })]);
  });

  it.each([
    [{ failed: 1 }, 'RestoreFailed'],
    [{ succeeded: 1 }, 'RestoreSucceeded'],
  ])(
    'when the finished Job (%j) is deleted and the annotations stay, then the outcome %s stands and no second restore runs',
    async (jobStatus, reason) => {
      const api = new FakeKube();
      const events = new RecordingEvents();
      const jobs = new RestoreJobs(api.asClient(), events);
      const first = await jobs.observe(asking(request), now);
      const [job] = api.peekAll<KubeResource>(JOB, 'kyc-test');
      const name = job?.metadata.name ?? '';
      api.setStatus(JOB, 'kyc-test', name, jobStatus);
      const failed = await jobs.observe(asking(request, { conditions: first.condition ? [first.condition] : [] }), now);
      expect(failed.condition?.reason).toBe(reason);
      await api.delete(JOB, 'kyc-test', name);

      const after = await jobs.observe(asking(request, { conditions: failed.condition ? [failed.condition] : [] }), now);
      expect(after).toEqual({ condition: failed.condition, requeueAfterMs: undefined });
      expect(api.peekAll(JOB, 'kyc-test')).toEqual([]);
      expect(api.writes.filter((w) => w.kind === 'Job' && w.verb === 'create')).toHaveLength(1);
    },
  );
});
