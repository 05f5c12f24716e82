// Secrets at rest (docs/security.md, "Secrets at rest"): the EncryptionConfiguration the local cluster's
// kube-apiserver starts with (hack/cluster/apiserver.sh) stores Secrets in etcd as aesgcm ciphertext. Run
// on a private etcd and kube-apiserver (the pinned binaries, the cluster's certificates, ports of their
// own), so that it proves the configuration whether or not the shared API server was restarted with it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = new URL('../../../', import.meta.url).pathname;
const versions = readFileSync(join(repo, 'hack/versions.env'), 'utf8');
const cache = process.env.KYC_CACHE_DIR ?? join(homedir(), '.cache/kyc-operator');
const bin = join(cache, `k8s/v${/^K8S_VERSION=(.*)$/m.exec(versions)?.[1] ?? ''}/bin`);
const pki = join(process.env.KYC_RUN_DIR ?? join(cache, 'run'), 'cluster/pki');

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });

describe('Secrets at rest in etcd', () => {
  const dir = mkdtempSync(join(tmpdir(), 'etcd-encryption-'));
  const children: ChildProcess[] = [];
  let etcd = '';
  let kubeconfig = '';
  const kubectl = (...args: string[]) => run(join(bin, 'kubectl'), ['--kubeconfig', kubeconfig, ...args]);

  beforeAll(async () => {
    await run('bash', ['-c', `set -euo pipefail; PKI=${dir}; source ${join(repo, 'hack/cluster/apiserver.sh')}; encryption_config`]);
    const [client, peer, api] = [await freePort(), await freePort(), await freePort()];
    etcd = `http://127.0.0.1:${client}`;
    const peerUrl = `http://127.0.0.1:${peer}`;
    children.push(
      spawn(
        join(bin, 'etcd'),
        [
          '--data-dir',
          join(dir, 'etcd'),
          '--listen-client-urls',
          etcd,
          '--advertise-client-urls',
          etcd,
          '--listen-peer-urls',
          peerUrl,
          '--initial-advertise-peer-urls',
          peerUrl,
          '--initial-cluster',
          `default=${peerUrl}`,
        ],
        { stdio: 'ignore' },
      ),
    );
    children.push(
      spawn(
        join(bin, 'kube-apiserver'),
        [
          '--etcd-servers',
          etcd,
          '--bind-address',
          '127.0.0.1',
          '--advertise-address',
          '127.0.0.1',
          '--secure-port',
          String(api),
          '--endpoint-reconciler-type',
          'none',
          '--tls-cert-file',
          join(pki, 'apiserver.crt'),
          '--tls-private-key-file',
          join(pki, 'apiserver.key'),
          '--client-ca-file',
          join(pki, 'ca.crt'),
          '--service-account-key-file',
          join(pki, 'sa.pub'),
          '--service-account-signing-key-file',
          join(pki, 'sa.key'),
          '--service-account-issuer',
          'https://kubernetes.default.svc.cluster.local',
          '--service-cluster-ip-range',
          '10.96.0.0/16',
          '--authorization-mode',
          'RBAC',
          '--encryption-provider-config',
          join(dir, 'encryption-config.yaml'),
        ],
        { stdio: 'ignore' },
      ),
    );
    kubeconfig = join(dir, 'kubeconfig');
    const admin = readFileSync(join(pki, '../admin.kubeconfig'), 'utf8');
    writeFileSync(kubeconfig, admin.replace(/server: .*/, `server: https://127.0.0.1:${api}`), { mode: 0o600 });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (
        await kubectl('get', '--raw', '/readyz').then(
          () => true,
          () => false,
        )
      )
        break;
      if (Date.now() > deadline) throw new Error('the private kube-apiserver did not become ready in 60 s');
      await new Promise((r) => setTimeout(r, 500));
    }
  }, 90_000);

  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('when a Secret is written, then etcd holds aesgcm ciphertext without its value, and the API reads it back', async () => {
    const value = `pii-${Date.now()}-must-not-be-stored-in-clear`;
    await kubectl('-n', 'default', 'create', 'secret', 'generic', 'probe', `--from-literal=v=${value}`);
    const key = Buffer.from('/registry/secrets/default/probe').toString('base64');
    const range = (await (await fetch(`${etcd}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key }) })).json()) as {
      kvs: { value: string }[];
    };
    const stored = Buffer.from(range.kvs[0]?.value ?? '', 'base64');
    expect(stored.subarray(0, 23).toString()).toBe('k8s:enc:aesgcm:v1:key1:');
    expect(stored.includes(value)).toBe(false);
    const read = await kubectl('-n', 'default', 'get', 'secret', 'probe', '-o', 'jsonpath={.data.v}');
    expect(Buffer.from(read.stdout, 'base64').toString()).toBe(value);
  });
});
