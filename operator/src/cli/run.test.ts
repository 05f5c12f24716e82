import { describe, expect, it } from '@jest/globals';
import type { KycPlatform } from '../api/types.js';
import { packageVersion } from '../version.js';
import type { PlatformCluster } from './cluster.js';
import type { PlatformChange } from './requests.js';
import type { Terminal } from './run.js';
import type { DeploymentView } from './summary.js';
import { releasedDeployments, releasedPlatform, SCALING_DOWN } from './testing/platforms.js';
import { runCaptured, type Captured } from './testing/terminal.js';

/** A cluster of one namespace holding the given platforms; records what the commands change. */
class FakeCluster implements PlatformCluster {
  readonly namespace = 'kyc-test';
  readonly changes: PlatformChange[] = [];
  reads = 0;
  constructor(
    readonly platforms: Map<string, KycPlatform>,
    readonly deployments: DeploymentView[] = [],
    readonly failWith?: Error,
  ) {}
  getPlatform(name: string): Promise<KycPlatform | undefined> {
    this.reads += 1;
    if (this.failWith) return Promise.reject(this.failWith);
    return Promise.resolve(this.platforms.get(name));
  }
  listDeployments(): Promise<DeploymentView[]> {
    return Promise.resolve(this.deployments);
  }
  change(_name: string, change: PlatformChange): Promise<void> {
    this.changes.push(change);
    return Promise.resolve();
  }
  operatorDeployments() {
    if (this.failWith) return Promise.reject(this.failWith);
    return Promise.resolve([
      { namespace: 'kyc-system', name: 'kyc-operator', version: '0.1.0', image: 'kyc-operator/operator:0.1.0', ready: 2, desired: 2 },
    ]);
  }
}

function runWith(argv: string[], cluster: PlatformCluster, extra: Partial<Terminal> = {}): Promise<Captured> {
  return runCaptured(argv, () => cluster, extra);
}

const cluster = (platform: KycPlatform = releasedPlatform()): FakeCluster =>
  new FakeCluster(new Map([['acme', platform]]), releasedDeployments());

describe('run', () => {
  it('when the arguments are wrong, then it says so on stderr and exits 2 without touching the cluster', async () => {
    const fake = cluster();
    expect(await runWith(['status'], fake)).toEqual({
      code: 2,
      stdout: '',
      stderr: "kubectl kyc: status needs the platform's NAME\nRun 'kubectl kyc --help' for usage.\n",
    });
    expect(fake.reads).toBe(0);
  });

  it('prints the usage for --help and exits 0', async () => {
    const result = await runWith(['--help'], cluster());
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: kubectl kyc COMMAND/);
  });

  it('prints the status tree, without colour when stdout is not a terminal', async () => {
    const result = await runWith(['status', 'acme'], cluster());
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^KycPlatform kyc-test\/acme {2}Ready/);
    expect(result.stdout).not.toContain('\x1b[');
  });

  it('colours a terminal unless NO_COLOR or --no-color says otherwise', async () => {
    let out = '';
    const tty = { write: (text: string) => (out += text), isTTY: true };
    await runWith(['status', 'acme'], cluster(), { stdout: tty });
    expect(out).toContain('\x1b[32m');
    out = '';
    await runWith(['status', 'acme'], cluster(), { stdout: tty, env: { NO_COLOR: '1' } });
    await runWith(['status', 'acme', '--no-color'], cluster(), { stdout: tty });
    expect(out).not.toContain('\x1b[');
  });

  it('prints the status as JSON with -o json, and exits 1 for a Degraded platform', async () => {
    const result = await runWith(['status', 'acme', '-o', 'json'], cluster(releasedPlatform(SCALING_DOWN, { phase: 'Degraded' })));
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as {
      phase: string;
      healthy: boolean;
      release: { phase: string };
      components: { name: string }[];
    };
    expect(summary).toMatchObject({ phase: 'Degraded', healthy: false, release: { phase: 'ScalingDown' } });
    expect(summary.components.map((c) => c.name)).toEqual(['gateway', 'kyc']);
  });

  it('when the platform does not exist, then it says so and exits 1', async () => {
    expect(await runWith(['status', 'nope'], cluster())).toEqual({
      code: 1,
      stdout: '',
      stderr: 'kubectl kyc: KycPlatform kyc-test/nope not found\n',
    });
  });

  it('when the API server fails, then it prints the error and exits 1', async () => {
    const broken = new FakeCluster(new Map(), [], new Error('get KycPlatform kyc-test/acme: connect ECONNREFUSED'));
    expect(await runWith(['status', 'acme'], broken)).toMatchObject({
      code: 1,
      stderr: 'kubectl kyc: get KycPlatform kyc-test/acme: connect ECONNREFUSED\n',
    });
  });

  it('rolls back by sending the decided change, and prints it as JSON with -o json', async () => {
    const fake = cluster();
    const result = await runWith(['rollback', 'acme', '-o', 'json'], fake);
    expect(result.code).toBe(0);
    expect(fake.changes).toEqual([{ kind: 'version', from: '1.4.3', to: '1.4.2' }]);
    expect(JSON.parse(result.stdout)).toMatchObject({
      platform: 'kyc-test/acme',
      request: 'rollback',
      change: { kind: 'version', to: '1.4.2' },
    });
  });

  it('when a request makes no sense in the phase, then it changes nothing and exits 1 with the reason', async () => {
    const fake = cluster();
    const result = await runWith(['abort', 'acme'], fake);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the active Services were switched already; to switch back: kubectl kyc rollback');
    expect(fake.changes).toEqual([]);
  });

  it('explains the scaling of one component, and refuses a component the platform does not run', async () => {
    const result = await runWith(['explain-scaling', 'acme', 'kyc', '-o', 'json'], cluster());
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { components: { component: string }[] }).components.map((c) => c.component)).toEqual(['kyc']);
    expect(await runWith(['explain-scaling', 'acme', 'auth'], cluster())).toMatchObject({
      code: 1,
      stderr: 'kubectl kyc: component auth is not enabled in KycPlatform kyc-test/acme\n',
    });
  });

  it("prints the plugin's and the operator's version, and the plugin's alone (exit 1) when the cluster cannot be reached", async () => {
    const result = await runWith(['version'], cluster());
    expect(result).toMatchObject({
      code: 0,
      stdout: `kubectl-kyc ${packageVersion()}\noperator: 0.1.0 (kyc-system/kyc-operator, image kyc-operator/operator:0.1.0, 2/2 ready)\n`,
    });
    const offline = await runWith(['version'], new FakeCluster(new Map(), [], new Error('no kubeconfig')));
    expect(offline).toEqual({ code: 1, stdout: `kubectl-kyc ${packageVersion()}\n`, stderr: 'kubectl kyc: no kubeconfig\n' });
  });

  it('watches: a new frame for each change, none while nothing changes, and exit 0 when interrupted', async () => {
    const platform = releasedPlatform();
    const fake = cluster(platform);
    const interrupted = new AbortController();
    const watching = runWith(['status', 'acme', '--watch', '-o', 'json'], fake, { signal: interrupted.signal, watchIntervalMs: 5 });
    await waitFor(() => fake.reads >= 3);
    fake.platforms.set('acme', releasedPlatform({ ...SCALING_DOWN, phase: 'Idle' }));
    const seen = fake.reads;
    await waitFor(() => fake.reads >= seen + 3);
    interrupted.abort();
    const result = await watching;
    expect(result.code).toBe(0);
    const frames = result.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { release: { phase: string } }).release.phase);
    expect(frames).toEqual(['ScalingDown', 'Idle']);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error('condition not reached');
}
