import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { fromFile, inCluster, loadEndpoint } from './kubeconfig.js';

const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(name: string, user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: main',
      'contexts:',
      '- name: other',
      '  context: {cluster: other, user: other}',
      '- name: main',
      '  context: {cluster: c, user: u}',
      'clusters:',
      '- name: other',
      '  cluster: {server: "https://wrong:1"}',
      '- name: c',
      `  cluster: ${JSON.stringify({ server: 'https://127.0.0.1:16443', ...cluster })}`,
      'users:',
      '- name: u',
      `  user: ${JSON.stringify(user)}`,
    ].join('\n'),
  );
  return path;
}

describe('kubeconfig files', () => {
  it('takes the current context, and files relative to the kubeconfig for the CA and client certificate', async () => {
    writeFileSync(join(dir, 'ca.crt'), 'CA');
    writeFileSync(join(dir, 'admin.crt'), 'CERT');
    writeFileSync(join(dir, 'admin.key'), 'KEY');
    const endpoint = fromFile(
      kubeconfig(
        'files',
        { 'client-certificate': 'admin.crt', 'client-key': join(dir, 'admin.key') },
        { 'certificate-authority': 'ca.crt' },
      ),
    );
    expect(endpoint.server).toBe('https://127.0.0.1:16443');
    const { tls: raw, headers } = await endpoint.credentials();
    const tls = raw as { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized?: boolean; servername?: string };
    expect(String(tls.ca)).toBe('CA');
    expect(String(tls.cert)).toBe('CERT');
    expect(String(tls.key)).toBe('KEY');
    expect(headers).toEqual({});
  });

  it('decodes inline data, sends a bearer token, and honours insecure-skip-tls-verify and tls-server-name', async () => {
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    const endpoint = fromFile(
      kubeconfig(
        'inline',
        { token: 'secret-token', 'client-certificate-data': b64('C'), 'client-key-data': b64('K') },
        {
          'certificate-authority-data': b64('A'),
          'insecure-skip-tls-verify': true,
          'tls-server-name': 'api.internal',
        },
      ),
    );
    const { tls: raw, headers } = await endpoint.credentials();
    const tls = raw as { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized?: boolean; servername?: string };
    expect([String(tls.ca), String(tls.cert), String(tls.key)]).toEqual(['A', 'C', 'K']);
    expect(tls.rejectUnauthorized).toBe(false);
    expect(tls.servername).toBe('api.internal');
    expect(headers).toEqual({ Authorization: 'Bearer secret-token' });
  });

  it('re-reads a token file on every call (rotated tokens)', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'one\n');
    const endpoint = fromFile(kubeconfig('token-file', { tokenFile }));
    expect((await endpoint.credentials()).headers.Authorization).toBe('Bearer one');
    writeFileSync(tokenFile, 'two\n');
    expect((await endpoint.credentials()).headers.Authorization).toBe('Bearer two');
  });

  it('leaves exec plugins to client-node (same server), and fails clearly without a current context', () => {
    expect(fromFile(kubeconfig('exec', { exec: { command: 'get-token', apiVersion: 'client.authentication.k8s.io/v1' } })).server).toBe(
      'https://127.0.0.1:16443',
    );
    const broken = join(dir, 'broken');
    writeFileSync(broken, 'apiVersion: v1\nkind: Config\n');
    expect(() => fromFile(broken)).toThrow(/no current context/);
    const empty = join(dir, 'empty');
    writeFileSync(empty, '# nothing yet\n');
    expect(() => fromFile(empty)).toThrow(/no current context/);
  });
});

describe('in-cluster', () => {
  it('uses the service host and port, the mounted CA and the token', async () => {
    const sa = mkdtempSync(join(dir, 'sa-'));
    writeFileSync(join(sa, 'ca.crt'), 'CLUSTER-CA');
    writeFileSync(join(sa, 'token'), 'sa-token');
    const endpoint = inCluster({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, sa);
    expect(endpoint.server).toBe('https://10.96.0.1:443');
    const { tls: raw, headers } = await endpoint.credentials();
    const tls = raw as { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized?: boolean; servername?: string };
    expect(String(tls.ca)).toBe('CLUSTER-CA');
    expect(headers.Authorization).toBe('Bearer sa-token');
    expect(inCluster({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }, sa).server).toBe('https://[fd00::1]:6443');
  });

  it('is the fallback without a kubeconfig path or ~/.kube/config', () => {
    const env = { HOME: join(dir, 'no-home'), KUBERNETES_SERVICE_HOST: '10.96.0.1' };
    expect(loadEndpoint('', env).server).toBe('https://10.96.0.1:443');
    expect(() => loadEndpoint('', { HOME: join(dir, 'no-home') })).toThrow(/no kubeconfig/);
  });
});
