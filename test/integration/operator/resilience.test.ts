// Two operators share a Lease: only the leader reconciles, and the standby takes over when the leader
// dies. Last, the API server restarts mid-reconcile and the operator recovers without a restart.
// The API-server restart affects everyone using the shared cluster, so it is one short test, at the
// very end, and `hack/cluster.sh up` runs even when the test fails.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { COMPONENTS } from '../../../operator/src/api/components.js';
import type { RunningOperator } from '../../../operator/src/manager.js';
import { eventually, uniqueSuffix } from '../../support/env.js';
import type { KubeResource } from '../../../operator/src/runtime/kube.js';
import type { PlatformResource } from '../../../operator/src/reconcile/platform.js';
import {
  createNamespace,
  DEPLOYMENT,
  deleteNamespace,
  developmentPlatform,
  installCrd,
  PLATFORM,
  startTestOperator,
  testClient,
  waitReady,
} from './support.js';

type Deployment = KubeResource & { spec: { template: { spec: { containers: { image: string }[] } } } };

const run = promisify(execFile);
const client = testClient();
const name = 'resilient';
let namespace = '';
const leaseName = `kyc-operator-${uniqueSuffix()}`;
const operators: RunningOperator[] = [];

beforeAll(async () => {
  await installCrd(client);
  namespace = await createNamespace(client, 'op-res');
  operators.push(await startTestOperator({ namespace, leaseName, identity: 'first' }));
  operators.push(await startTestOperator({ namespace, leaseName, identity: 'second' }));
}, 120_000);

afterAll(async () => {
  await Promise.all(operators.map((o) => o.stop()));
  // The client's pooled connections may predate the API-server restart: retry the clean-up.
  if (namespace) await eventually('the test namespace to be deleted', () => deleteNamespace(client, namespace).then(() => true), 30_000);
  client.close();
}, 60_000);

function leaders(): RunningOperator[] {
  return operators.filter((o) => o.isLeader());
}

describe('leader election', () => {
  it('when two operators run, then only the leader reconciles', async () => {
    await eventually('one leader', () => Promise.resolve(leaders().length === 1), 20_000);
    await client.create(PLATFORM, namespace, developmentPlatform(namespace, name, '0.1.0'));
    await waitReady(client, namespace, name, '0.1.0');
    const [leader] = leaders();
    const standby = operators.find((o) => o !== leader);
    if (!leader || !standby) throw new Error('expected one leader and one standby');
    expect(leaders()).toHaveLength(1);
    expect(await leader.metrics.writes()).toBeGreaterThan(0);
    expect(await standby.metrics.writes()).toBe(0);
    expect((await standby.metrics.reconciles.get()).values.reduce((sum, v) => sum + v.value, 0)).toBe(0);
  }, 120_000);

  it('when the leader dies without releasing the Lease, then the standby takes over within the lease duration and reconciles', async () => {
    const [leader] = leaders();
    const standby = operators.find((o) => o !== leader);
    if (!leader || !standby) throw new Error('expected one leader and one standby');
    const killedAt = Date.now();
    await leader.stop({ releaseLease: false });
    operators.splice(operators.indexOf(leader), 1);
    await eventually('the standby to lead', () => Promise.resolve(standby.isLeader()), 30_000, 100);
    const takeoverMs = Date.now() - killedAt;
    // Lease duration 4 s; the standby notices on its next 1 s retry, so allow generous slack for a noisy machine.
    expect(takeoverMs).toBeLessThan(15_000);
    await client.mergePatch(PLATFORM, namespace, name, { spec: { version: '0.2.0' } });
    await waitReady(client, namespace, name, '0.2.0');
    expect(await standby.metrics.writes()).toBeGreaterThan(0);
  }, 90_000);
});

const clusterDir = join(
  process.env.KYC_RUN_DIR ?? join(process.env.KYC_CACHE_DIR ?? join(homedir(), '.cache/kyc-operator'), 'run'),
  'cluster',
);
const repoRoot = new URL('../../../', import.meta.url).pathname;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('API server restart', () => {
  it('when the API server restarts mid-reconcile, then the operator recovers without being restarted', async () => {
    const [operator] = operators;
    if (!operator) throw new Error('no operator left');
    const restartsBefore = (await operator.metrics.watchRestarts.get()).values.reduce((sum, v) => sum + v.value, 0);
    await client.mergePatch(PLATFORM, namespace, name, { spec: { version: '0.3.0' } });
    const pid = Number(readFileSync(join(clusterDir, 'pids/apiserver.pid'), 'utf8').trim());
    try {
      // SIGKILL: a crash, and quick (a graceful stop waits up to a minute for open watches to drain).
      process.kill(pid, 'SIGKILL');
      await eventually('the API server to exit', () => Promise.resolve(!alive(pid)), 30_000, 100);
    } finally {
      await run(join(repoRoot, 'hack/cluster.sh'), ['up'], { cwd: repoRoot, timeout: 180_000 });
    }
    // Recovered: the operator applied the new version and reported on it. (Ready also needs the
    // controller-manager and KWOK to recover from the restart, which is not what this test is about.)
    await eventually(
      'the operator to roll out 0.3.0 and report on it after the restart',
      async () => {
        const platform = await client.get<PlatformResource>(PLATFORM, namespace, name);
        if (!platform || platform.status?.observedGeneration !== platform.metadata.generation) return false;
        const { items } = await client.list<Deployment>(DEPLOYMENT, namespace, { labelSelector: `app.kubernetes.io/instance=${name}` });
        return items.length === COMPONENTS.length && items.every((d) => d.spec.template.spec.containers[0]?.image.endsWith(':0.3.0'));
      },
      120_000,
    );
    const restartsAfter = (await operator.metrics.watchRestarts.get()).values.reduce((sum, v) => sum + v.value, 0);
    expect(restartsAfter).toBeGreaterThan(restartsBefore);
    expect(operator.isLeader()).toBe(true);
  }, 240_000);
});
