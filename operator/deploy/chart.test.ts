// The Helm chart (charts/kyc-operator) stays true to the kustomize install beside this file: the same
// CRD, the same RBAC rules and alerting rules (the chart reads them through links), and the same
// image, version and resources. test/integration/operator/chart.test.ts renders and installs it.
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import * as yaml from 'js-yaml';
import { renderReadme, valueRows } from '../../hack/chart-readme.js';
import { selfSignedCertificate } from '../src/runtime/serving-cert.js';

const chart = (path: string): URL => new URL(`../../charts/kyc-operator/${path}`, import.meta.url);
const here = (path: string): URL => new URL(path, import.meta.url);
const read = (url: URL): string => readFileSync(url, 'utf8');

interface Values {
  image: { repository: string; tag: string };
  replicas: number;
  resources: unknown;
  maxOldSpaceMiB: number;
  maxSemiSpaceMiB: number;
  optimizeForSize: boolean;
  leaderElection: { enabled: boolean };
  watchNamespace: string;
}
const values = yaml.load(read(chart('values.yaml'))) as Values;
const chartMeta = yaml.load(read(chart('Chart.yaml'))) as { name: string; version: string; appVersion: string };
const kustomization = yaml.load(read(here('./kustomization.yaml'))) as { images: { name: string; newTag: string }[] };
type Container = { image: string; command?: string[]; resources: unknown; env: { name: string; value?: string }[] };
const deployment = yaml.load(read(here('./deployment.yaml'))) as {
  spec: { replicas: number; template: { spec: { containers: Container[] } } };
};
const container = deployment.spec.template.spec.containers[0] as Container;

describe('charts/kyc-operator', () => {
  it('installs and upgrades the same CRD as crds/ from a template (files/kycplatform.yaml in the chart links to it)', () => {
    expect(read(chart('files/kycplatform.yaml'))).toBe(read(here('../../crds/kycplatform.yaml')));
    expect(lstatSync(chart('files/kycplatform.yaml')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(chart('files/kycplatform.yaml'))).toBe('../../../crds/kycplatform.yaml');
    // Helm installs crds/ once and never upgrades it; a CRD there as well would clash with the template's.
    expect(existsSync(chart('crds'))).toBe(false);
    expect(read(chart('templates/crds.yaml'))).toContain('.Files.Get "files/kycplatform.yaml"');
  });

  it('ships the alerting rules promtool tests, through a link (files/kyc-operator.rules.yaml)', () => {
    expect(readlinkSync(chart('files/kyc-operator.rules.yaml'))).toBe('../../../operator/deploy/alerts/kyc-operator.rules.yaml');
    expect(read(chart('templates/prometheusrule.yaml'))).toContain('.Files.Get "files/kyc-operator.rules.yaml"');
  });

  it('grants the same RBAC rules as operator/deploy/rbac.yaml (files/rbac.yaml in the chart links to it)', () => {
    expect(read(chart('files/rbac.yaml'))).toBe(read(here('./rbac.yaml')));
    expect(readlinkSync(chart('files/rbac.yaml'))).toBe('../../../operator/deploy/rbac.yaml');
    // The chart takes the rules of the ClusterRole and of the leader-election Role: both must be there.
    const kinds = (yaml.loadAll(read(here('./rbac.yaml'))) as { kind: string; rules?: unknown[] }[]).filter((d) => d.rules);
    expect(kinds.map((d) => d.kind).sort()).toEqual(expect.arrayContaining(['ClusterRole', 'Role']));
  });

  it('grants the external metrics API the rules of operator/deploy/external-metrics.yaml (a link as well)', () => {
    expect(read(chart('files/external-metrics.yaml'))).toBe(read(here('./external-metrics.yaml')));
    expect(readlinkSync(chart('files/external-metrics.yaml'))).toBe('../../../operator/deploy/external-metrics.yaml');
  });

  it('defaults to the image, version, replicas, heap and resources of operator/deploy', () => {
    const [image] = kustomization.images;
    expect(values.image.repository).toBe(image?.name);
    expect(chartMeta.appVersion).toBe(image?.newTag);
    expect(container.image).toBe(values.image.repository);
    expect(values.replicas).toBe(deployment.spec.replicas);
    expect(values.resources).toEqual(container.resources);
    expect(container.env.find((e) => e.name === 'NODE_OPTIONS')?.value).toBe(
      `--max-old-space-size=${values.maxOldSpaceMiB} --max-semi-space-size=${values.maxSemiSpaceMiB}`,
    );
    // glibc's malloc settings: the manifest's, and the chart's template says the same.
    expect(container.env.find((e) => e.name === 'MALLOC_ARENA_MAX')?.value).toBe('2');
    expect(container.env.find((e) => e.name === 'MALLOC_MMAP_THRESHOLD_')?.value).toBe('131072');
    for (const name of ['MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_']) {
      const value = container.env.find((e) => e.name === name)?.value ?? '';
      expect(read(chart('templates/deployment.yaml'))).toContain(`- name: ${name}\n              value: "${value}"`);
    }
    expect(values.optimizeForSize).toBe(true);
    expect(container.command).toEqual(['node', '--optimize-for-size', 'dist/operator/src/main.js']);
    // The command is the operator image's ENTRYPOINT with the flag put in: the script must stay the image's.
    expect(read(here('../../Dockerfile'))).toContain('ENTRYPOINT ["node", "dist/operator/src/main.js"]');
    expect(read(chart('templates/deployment.yaml'))).toContain(`command: [${container.command?.join(', ')}]`);
    expect(values.leaderElection.enabled).toBe(true);
    expect(values.watchNamespace).toBe('');
  });

  it('has a README whose values table is what values.yaml says (node hack/chart-readme.ts writes it)', () => {
    expect(read(chart('README.md'))).toBe(renderReadme(read(chart('Chart.yaml')), read(chart('values.yaml'))));
  });
});

describe('hack/chart-readme.ts', () => {
  it('lists described values with their type and default, a described map as one row, and refuses an undescribed value', () => {
    const values = [
      '# a note for readers',
      'image:',
      '  # -- Tag; empty: the appVersion.',
      '  tag: ""',
      '# -- Requests and limits.',
      'resources:',
      '  limits: {cpu: "1"}',
      '',
    ].join('\n');
    expect(valueRows(values)).toEqual([
      { key: 'image.tag', type: 'string', default: '', description: 'Tag; empty: the appVersion.' },
      { key: 'resources', type: 'object', default: { limits: { cpu: '1' } }, description: 'Requests and limits.' },
    ]);
    expect(() => valueRows('replicas: 2\n')).toThrow('values without a "# --" description: replicas');
  });
});

describe('the helm test check (charts/kyc-operator/files/metrics-test.mjs)', () => {
  const script = read(chart('files/metrics-test.mjs'));
  // Runs the script as the test pod does (node --input-type=module --eval) against a local server.
  // With `token`, the server is HTTPS with a self-signed certificate (the operator's default) and
  // answers 401 unless that bearer token comes, which the script reads from METRICS_TOKEN_FILE.
  async function check(answer: { status: number; body: string }, token?: string): Promise<{ code: number; output: string }> {
    const handler: http.RequestListener = (req, res) =>
      token && req.headers.authorization !== `Bearer ${token}` ? res.writeHead(401).end() : res.writeHead(answer.status).end(answer.body);
    const server = token ? https.createServer(selfSignedCertificate(new Date()), handler) : http.createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `${token ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    const scratch = mkdtempSync(join(tmpdir(), 'kyc-metrics-test-'));
    const tokenFile = join(scratch, 'token');
    writeFileSync(tokenFile, `${token ?? ''}\n`);
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '--eval', script], {
        env: {
          ...process.env,
          NODE_OPTIONS: '',
          METRICS_URL: url,
          METRICS_TIMEOUT_MS: '300',
          ...(token ? { METRICS_TOKEN_FILE: tokenFile } : {}),
        },
      });
      return { code: 0, output: stdout };
    } catch (error) {
      const failed = error as { code: number; stderr: string };
      return { code: failed.code, output: failed.stderr };
    } finally {
      server.close();
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  it('when the operator answers with its metrics, then it exits 0', async () => {
    expect(await check({ status: 200, body: '# TYPE kyc_operator_leader gauge\nkyc_operator_leader 1\n' })).toEqual({
      code: 0,
      output: expect.stringContaining('answered with the operator'),
    });
  });

  it('when the operator serves /metrics over HTTPS with its self-signed certificate, then it scrapes with the token file', async () => {
    expect(await check({ status: 200, body: 'kyc_operator_leader 0\n' }, 'the-pod-token')).toEqual({
      code: 0,
      output: expect.stringContaining('answered with the operator'),
    });
  });

  it('when something else answers, or the operator is not ready, then it exits 1 and says why', async () => {
    expect(await check({ status: 200, body: 'up 1\n' })).toEqual({ code: 1, output: expect.stringContaining('no kyc_operator_leader') });
    expect(await check({ status: 503, body: 'not ready\n' })).toEqual({ code: 1, output: expect.stringContaining('HTTP 503') });
  });
});
