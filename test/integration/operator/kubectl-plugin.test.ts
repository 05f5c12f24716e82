// `kubectl kyc` against the local cluster's kube-apiserver (docs/kubectl-plugin.md): every command run
// in-process through the plugin's real client (@kubernetes/client-node, the suite's kubeconfig), its
// output and exit code read as a user would, and its effect read back from the API server. The first
// part runs no operator: it writes the platform's status through the status subresource as the operator
// would, so each release phase is set up at once; the last test has a real operator act on promote and
// rollback.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KycPlatformStatus, ReleaseStatus } from '../../../operator/src/api/types.js';
import { connect } from '../../../operator/src/cli/cluster.js';
import type { Connect } from '../../../operator/src/cli/run.js';
import { releasedPlatform } from '../../../operator/src/cli/testing/platforms.js';
import { runCaptured } from '../../../operator/src/cli/testing/terminal.js';
import type { KubeResource } from '../../../operator/src/runtime/kube.js';
import { packageVersion } from '../../../operator/src/version.js';
import { eventually, requireEnv } from '../../support/env.js';
import {
  createNamespace,
  deleteNamespace,
  DEPLOYMENT,
  developmentPlatform,
  getPlatform,
  installCrd,
  PLATFORM,
  testClient,
  withTestOperator,
} from './support.js';

const NAME = 'plugin';
const client = testClient();
let namespace = '';

/** The plugin's own connection, as `kubectl kyc --kubeconfig ... -n <ns>` makes it. */
const pluginIn =
  (ns: () => string): Connect =>
  (options) =>
    connect({ ...options, kubeconfig: requireEnv('KUBECONFIG'), namespace: ns() });

/** `kubectl kyc ARGV -n <the faked platform's namespace>`. */
function kyc(argv: string[], signal?: AbortSignal) {
  return runCaptured(
    argv,
    pluginIn(() => namespace),
    { now: () => new Date(), ...(signal ? { signal, watchIntervalMs: 200 } : {}) },
  );
}

/** Writes status as the operator would (server-side apply on the status subresource, observedGeneration current). */
async function writeStatus(release: ReleaseStatus, extra: Partial<KycPlatformStatus> = {}): Promise<void> {
  const live = await getPlatform(client, namespace, NAME);
  const written = releasedPlatform(release).status;
  const conditions = written?.conditions?.map((c) => ({ ...c, lastTransitionTime: at(-30) }));
  const status = { ...written, conditions, observedGeneration: live?.metadata.generation, ...extra };
  await client.apply(
    PLATFORM,
    { apiVersion: 'kyc.dev/v1alpha1', kind: 'KycPlatform', metadata: { name: NAME, namespace }, status },
    'kyc-plugin-test',
    'status',
  );
}

/** RFC 3339 (whole seconds, as the operator writes) `offsetSeconds` from `base`. */
const at = (offsetSeconds: number, base = Date.now()): string =>
  new Date(base + offsetSeconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

/** Just switched from blue 1.4.2 to green 1.4.3, scale-down a minute away: the rollback window is open. */
const scalingDown = (now = Math.floor(Date.now() / 1000) * 1000): ReleaseStatus => ({
  phase: 'ScalingDown',
  activeColor: 'green',
  activeVersion: '1.4.3',
  previousColor: 'blue',
  previousVersion: '1.4.2',
  startedAt: at(-60, now),
  previewReadyAt: at(-40, now),
  verifiedAt: at(-35, now),
  switchedAt: at(-30, now),
  phaseStartedAt: at(-30, now),
  scaleDownAt: at(60, now),
  message: 'green serves version 1.4.3',
});

function deployment(name: string, labels: Record<string, string>, annotations: Record<string, string>, image: string): KubeResource {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels, annotations },
    spec: {
      // No pods: the plugin reads the Deployments' counts, not their pods.
      replicas: 0,
      selector: { matchLabels: { 'kyc.dev/test-deployment': name } },
      template: { metadata: { labels: { 'kyc.dev/test-deployment': name } }, spec: { containers: [{ name: 'main', image }] } },
    },
  };
}

beforeAll(async () => {
  await installCrd(client);
  namespace = await createNamespace(client, 'kubectl-kyc');
  const platform = developmentPlatform(namespace, NAME, '1.4.3');
  await client.create(PLATFORM, namespace, {
    ...platform,
    spec: { ...platform.spec, release: { strategy: 'BlueGreen', autoPromote: false } },
  });
  for (const component of ['gateway', 'kyc']) {
    for (const [color, version] of [
      ['blue', '1.4.2'],
      ['green', '1.4.3'],
    ] as const) {
      const labels = {
        'app.kubernetes.io/managed-by': 'kyc-operator',
        'app.kubernetes.io/instance': NAME,
        'app.kubernetes.io/component': component,
        'kyc.dev/color': color,
      };
      await client.create(
        DEPLOYMENT,
        namespace,
        deployment(`${NAME}-${component}-${color}`, labels, { 'kyc.dev/version': version }, `kyc-operator/workloads:${version}`),
      );
    }
  }
  // An operator install as `kubectl kyc version` finds one (the chart's version label).
  const operatorLabels = { 'app.kubernetes.io/name': 'kyc-operator', 'app.kubernetes.io/version': '9.9.9-test' };
  await client.create(DEPLOYMENT, namespace, deployment('kyc-operator', operatorLabels, {}, 'kyc-operator/operator:9.9.9-test'));
  await writeStatus(scalingDown());
}, 60_000);

afterAll(async () => {
  if (namespace) await deleteNamespace(client, namespace);
  client.close();
});

describe('kubectl kyc against the API server', () => {
  it('status draws the release, the components with both colours from their Deployments, and the conditions', async () => {
    const result = await kyc(['status', NAME]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^KycPlatform ${namespace}/${NAME} {2}Ready {2}version 1.4.3 \\(green\\)`));
    expect(result.stdout).toContain('├── Release  ScalingDown  active green 1.4.3 · previous blue 1.4.2');
    expect(result.stdout).toMatch(/started 1m\d\ds ago · preview ready \+20s · verified \+25s · switched \+30s · scale-down in \d\S*s/);
    expect(result.stdout).toMatch(
      /✔ kyc +4\/4 ready {2}Autoscaled 3–20 \(HPA 4 → 5\): kafka lag 420 \/ 100 per pod → 5\n.*green {2}0\/0 {2}1\.4\.3 {2}active\n.*blue {3}0\/0 {2}1\.4\.2 {2}previous/,
    );
    expect(result.stdout).toContain('✔ Ready          True   AllComponentsReady');
  });

  it('status -o json is the same summary, machine-readable', async () => {
    const result = await kyc(['status', NAME, '-o', 'json']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as {
      namespace: string;
      healthy: boolean;
      components: { name: string; colors: { color: string; role: string }[] }[];
    };
    expect(summary).toMatchObject({ namespace, healthy: true, release: { phase: 'ScalingDown', previousVersion: '1.4.2' } });
    expect(summary.components.find((c) => c.name === 'gateway')?.colors.map((c) => `${c.color}:${c.role}`)).toEqual([
      'green:active',
      'blue:previous',
    ]);
  });

  it('explain-scaling shows the recorded decision and the inputs of the spec', async () => {
    const result = await kyc(['explain-scaling', NAME, 'kyc']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'kyc  Autoscaled\n  decision: kafka lag 420 / 100 per pod → 5\n  replicas: min 3, max 20, HPA current 4, desired 5',
    );
    expect(result.stdout).toContain('metric kafka-consumer-lag: 420 against 100 per pod → 5 replicas');
  });

  it('version reports the plugin and the operator Deployment it finds', async () => {
    const result = await kyc(['version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`kubectl-kyc ${packageVersion()}\n`);
    expect(result.stdout).toContain(`operator: 9.9.9-test (${namespace}/kyc-operator, image kyc-operator/operator:9.9.9-test, 0/0 ready)`);
  });

  it('a missing platform and a request the phase does not allow exit 1 and change nothing', async () => {
    expect(await kyc(['status', 'absent'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `kubectl kyc: KycPlatform ${namespace}/absent not found\n`,
    });
    const before = await getPlatform(client, namespace, NAME);
    const promote = await kyc(['promote', NAME]);
    expect(promote.code).toBe(1);
    expect(promote.stderr).toContain('already promoted, green serves 1.4.3; to undo: kubectl kyc rollback');
    const after = await getPlatform(client, namespace, NAME);
    expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
  });

  it('rollback inside the window sets spec.version back to the previous version', async () => {
    const result = await kyc(['rollback', NAME]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('spec.version set back to 1.4.2; the operator switches every active Service back to blue at once');
    expect((await getPlatform(client, namespace, NAME))?.spec.version).toBe('1.4.2');
  });

  it('a version change guarded by an old spec.version is refused by the API server (no lost update)', async () => {
    await expect(
      connect({ kubeconfig: requireEnv('KUBECONFIG'), namespace, context: undefined }).change(NAME, {
        kind: 'version',
        from: '1.4.3',
        to: '1.5.0',
      }),
    ).rejects.toThrow(`spec.version of ${namespace}/${NAME} is no longer 1.4.3`);
    expect((await getPlatform(client, namespace, NAME))?.spec.version).toBe('1.4.2');
  });

  it('promote and abort annotate a release awaiting promotion, as the operator expects', async () => {
    await writeStatus({
      phase: 'AwaitingPromotion',
      activeColor: 'blue',
      activeVersion: '1.4.1',
      previewColor: 'green',
      previewVersion: '1.4.2',
      startedAt: at(-20),
      verifiedAt: at(-5),
      phaseStartedAt: at(-5),
    });
    const promote = await kyc(['promote', NAME, '-o', 'json']);
    expect(promote.code).toBe(0);
    expect(JSON.parse(promote.stdout)).toMatchObject({ request: 'promote', change: { kind: 'annotate', annotation: 'kyc.dev/promote' } });
    const abort = await kyc(['abort', NAME]);
    expect(abort.stdout).toContain('abort requested; the operator scales the preview green (version 1.4.2) down, blue keep serving 1.4.1');
    expect((await getPlatform(client, namespace, NAME))?.metadata.annotations).toMatchObject({
      'kyc.dev/promote': 'true',
      'kyc.dev/abort': 'true',
    });
    const status = await kyc(['status', NAME]);
    expect(status.stdout).toContain('kyc.dev/promote=true requested, not yet acted upon');
  });

  it('status --watch prints a new frame when the status changes, and stops when interrupted', async () => {
    const interrupted = new AbortController();
    const watching = kyc(['status', NAME, '--watch', '-o', 'json'], interrupted.signal);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await writeStatus({
      phase: 'Aborted',
      activeColor: 'blue',
      activeVersion: '1.4.1',
      previewColor: 'green',
      previewVersion: '1.4.2',
      failureReason: 'AbortRequested',
    });
    await eventually(
      'the watch to see Aborted',
      async () => (await getPlatform(client, namespace, NAME))?.status?.release?.phase === 'Aborted',
    );
    await new Promise((resolve) => setTimeout(resolve, 800));
    interrupted.abort();
    const result = await watching;
    expect(result.code).toBe(0);
    const phases = result.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { release: { phase: string } }).release.phase);
    // One frame per change: the phase changed once (a Deployment's status could add a frame of its own).
    expect(phases.filter((phase, i) => phase !== phases[i - 1])).toEqual(['AwaitingPromotion', 'Aborted']);
  });
});

// The same requests, acted upon by a real operator (in-process, its own namespace; KWOK runs the pods):
// what the plugin sends is what the release model reads (docs/releases.md).
describe('kubectl kyc with the operator acting on it', () => {
  const suite = withTestOperator('kubectl-kyc-op');
  const name = 'released';
  const kycOp = (argv: string[]) =>
    runCaptured(
      argv,
      pluginIn(() => suite.namespace),
      { now: () => new Date() },
    );
  const waitPhase = (what: string, check: (r: ReleaseStatus) => boolean) =>
    eventually(
      `${name}: ${what}`,
      async () => {
        const release = (await getPlatform(suite.client, suite.namespace, name))?.status?.release;
        return release && check(release) ? release : undefined;
      },
      90_000,
      200,
    );

  it('promote switches a release awaiting promotion, and rollback switches back inside the window', async () => {
    const platform = developmentPlatform(suite.namespace, name, '0.1.0');
    const release = { autoPromote: false, scaleDownDelaySeconds: 60, smokeCheck: { enabled: false } };
    await suite.client.create(PLATFORM, suite.namespace, { ...platform, spec: { ...platform.spec, release } });
    await waitPhase('Idle on blue', (r) => r.phase === 'Idle' && r.activeColor === 'blue');
    await suite.client.mergePatch(PLATFORM, suite.namespace, name, { spec: { version: '0.2.0' } });
    await waitPhase('AwaitingPromotion', (r) => r.phase === 'AwaitingPromotion');
    await eventually('the status of the new generation', async () => {
      const live = await getPlatform(suite.client, suite.namespace, name);
      return live?.status?.observedGeneration === live?.metadata.generation;
    });

    expect(await kycOp(['promote', name])).toMatchObject({ code: 0, stderr: '' });
    await waitPhase('switched to green', (r) => r.phase === 'ScalingDown' && r.activeColor === 'green' && r.activeVersion === '0.2.0');
    const status = await kycOp(['status', name]);
    expect(status.stdout).toContain('Release  ScalingDown  active green 0.2.0 · previous blue 0.1.0');
    expect(status.stdout).toContain(`roll back instantly until scale-down: kubectl kyc rollback ${name}`);

    expect(await kycOp(['rollback', name])).toMatchObject({ code: 0, stderr: '' });
    const back = await waitPhase('rolled back to blue', (r) => r.activeColor === 'blue' && r.activeVersion === '0.1.0');
    expect(back).toMatchObject({ phase: 'ScalingDown', previousColor: 'green', previousVersion: '0.2.0' });
    expect((await getPlatform(suite.client, suite.namespace, name))?.metadata.annotations?.['kyc.dev/promote']).toBeUndefined();
  }, 120_000);
});
