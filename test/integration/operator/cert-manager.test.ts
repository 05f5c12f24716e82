// spec.tls.issuerRef against the local API server with a real cert-manager (docs/security.md, "Certificates
// from cert-manager"): its controller (hack/deps/cert-manager.sh builds it from the Go module proxy) runs in
// a child process, out of the cluster, watching only the suite's namespace, with the CRDs of the same
// release. Without cert-manager's CRD a platform naming an issuer is held (CertificatesReady=False,
// CertManagerNotInstalled, an Event, no Deployment); with it, a CA Issuer issues every component's Secret,
// the operator reports CertificatesReady=True with the serials of the Secrets and rolls out, and a deleted
// Secret or a new name is re-issued by cert-manager and followed in status. The CRDs are cluster-wide: the
// suite removes them before and after, and the second operator starts once they are installed (an
// operator looks for a CRD at most once a minute).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import * as yaml from 'js-yaml';
import { desiredComponentNames } from '../../../operator/src/api/defaults.js';
import { issuedByBundle, readCertificate } from '../../../operator/src/api/x509.js';
import type { RunningOperator } from '../../../operator/src/manager.js';
import { CERTIFICATE_TYPE } from '../../../operator/src/reconcile/cert-manager.js';
import { CRD } from '../../../operator/src/reconcile/optional-kind.js';
import type { PlatformResource } from '../../../operator/src/reconcile/platform.js';
import { CERTIFICATE_NAME_ANNOTATION } from '../../../operator/src/render/cert-manager.js';
import { EVENT } from '../../../operator/src/runtime/events.js';
import type { KubeResource, ResourceType } from '../../../operator/src/runtime/kube.js';
import { eventually, requireEnv } from '../../support/env.js';
import { stopProcess } from '../../support/processes.js';
import { DEPLOYMENT, developmentPlatform, getPlatform, PLATFORM, SECRET, startTestOperator, withTestOperator } from './support.js';

type Secret = KubeResource & { data?: Record<string, string> };
type Deployment = KubeResource & { spec: { template: { spec: { volumes?: { name: string; projected?: unknown }[] } } } };
const ISSUER: ResourceType = { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', plural: 'issuers', namespaced: true };
/** The CRDs the CA and SelfSigned issuers need (the ACME ones are left out). */
const CRD_FILES = ['certificates', 'certificaterequests', 'issuers', 'clusterissuers'].map((n) => `cert-manager.io_${n}.yaml`);
const CRD_NAMES = ['certificates', 'certificaterequests', 'issuers', 'clusterissuers'].map((n) => `${n}.cert-manager.io`);
const pem = (secret: Secret | undefined, key: string): string => Buffer.from(secret?.data?.[key] ?? '', 'base64').toString('utf8');

// Built if missing (the background prebuild of `make test` usually has: a cold build takes about ten minutes).
const certManagerDir = execFileSync(new URL('../../../hack/deps/cert-manager.sh', import.meta.url).pathname, {
  encoding: 'utf8',
  timeout: 1_500_000,
}).trim();

const suite = withTestOperator('op-certmgr', {
  start: async (namespace) => {
    await removeCrds();
    return startTestOperator({ namespace });
  },
});
const { client } = suite;
let second: RunningOperator | undefined;
let controller: ChildProcess | undefined;
let controllerLog = '';

async function removeCrds(): Promise<void> {
  for (const name of CRD_NAMES) if (await client.get(CRD, '', name)) await client.delete(CRD, '', name);
  await eventually(
    'the cert-manager CRDs to be gone',
    async () => ((await Promise.all(CRD_NAMES.map((n) => client.get(CRD, '', n)))).some(Boolean) ? undefined : true),
    60_000,
  );
}

afterAll(async () => {
  await stopProcess(controller);
  await second?.stop();
  await removeCrds();
}, 90_000);

function issued(name: string, tls: PlatformResource['spec']['tls'] = {}): PlatformResource {
  const base = developmentPlatform(suite.namespace, name);
  return {
    ...base,
    spec: { ...base.spec, tls: { mode: 'BuiltIn', issuerRef: { name: 'corp' }, publicNames: ['localhost', '127.0.0.1'], ...tls } },
  };
}

async function certificatesReady(name: string, reason: string): Promise<PlatformResource> {
  return eventually(
    `${name} CertificatesReady with reason ${reason}`,
    async () => {
      const platform = await getPlatform(client, suite.namespace, name);
      const condition = platform?.status?.conditions?.find((c) => c.type === 'CertificatesReady');
      return condition?.reason === reason && platform?.status?.observedGeneration === platform?.metadata.generation ? platform : undefined;
    },
    60_000,
  );
}

describe('spec.tls.issuerRef with cert-manager', () => {
  it('when cert-manager is not installed, then CertificatesReady=False (CertManagerNotInstalled), an Event says so, and nothing rolls out', async () => {
    await client.create(PLATFORM, suite.namespace, issued('cm-none'));
    const platform = await certificatesReady('cm-none', 'CertManagerNotInstalled');
    const condition = platform.status?.conditions?.find((c) => c.type === 'CertificatesReady');
    expect(condition?.status).toBe('False');
    expect(condition?.message).toMatch(/^spec\.tls\.issuerRef names Issuer corp, but the cluster has no cert-manager/);
    expect(platform.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'CertManagerNotInstalled',
    });
    const events = await eventually('the CertManagerNotInstalled Event', async () => {
      const { items } = await client.list<KubeResource & { reason?: string; involvedObject?: { name?: string } }>(EVENT, suite.namespace);
      const found = items.filter((e) => e.reason === 'CertManagerNotInstalled' && e.involvedObject?.name === 'cm-none');
      return found.length > 0 ? found : undefined;
    });
    expect(events).toHaveLength(1);
    const deployments = await client.list(DEPLOYMENT, suite.namespace, { labelSelector: 'app.kubernetes.io/instance=cm-none' });
    expect(deployments.items).toEqual([]);
    await client.delete(PLATFORM, suite.namespace, 'cm-none');
  });

  it('when a CA Issuer issues, then every component’s Secret comes from cert-manager, CertificatesReady=True with their serials, and the platform rolls out; a deleted Secret and a new name are re-issued and followed', async () => {
    const dir = `${certManagerDir}/crds`;
    expect(readdirSync(dir)).toContain('LICENSE');
    for (const file of CRD_FILES) {
      const [crd] = yaml.loadAll(readFileSync(`${dir}/${file}`, 'utf8')) as KubeResource[];
      if (!crd) throw new Error(`${file} is empty`);
      await client.apply(CRD, crd, 'kyc-operator-tests');
    }
    await eventually('Certificates and Issuers to be served', async () =>
      (await Promise.all([client.list(CERTIFICATE_TYPE, suite.namespace), client.list(ISSUER, suite.namespace)]).then(
        () => true,
        () => false,
      ))
        ? true
        : undefined,
    );
    await suite.operator.stop();
    second = await startTestOperator({ namespace: suite.namespace });
    controller = spawn(`${certManagerDir}/bin/cert-manager-controller`, [
      `--kubeconfig=${requireEnv('KUBECONFIG')}`,
      `--namespace=${suite.namespace}`,
      '--controllers=issuers,certificaterequests-approver,certificaterequests-issuer-ca,certificaterequests-issuer-selfsigned,certificates-trigger,certificates-issuing,certificates-key-manager,certificates-request-manager,certificates-readiness,certificates-revision-manager',
    ]);
    controller.stderr?.on('data', (chunk: Buffer) => (controllerLog = (controllerLog + chunk.toString()).slice(-20_000)));

    // A CA of the suite's own (SelfSigned → CA certificate), and the CA Issuer the platform names.
    await client.create(ISSUER, suite.namespace, {
      apiVersion: ISSUER.apiVersion,
      kind: 'Issuer',
      metadata: { name: 'self' },
      spec: { selfSigned: {} },
    });
    await client.create(CERTIFICATE_TYPE, suite.namespace, {
      apiVersion: CERTIFICATE_TYPE.apiVersion,
      kind: 'Certificate',
      metadata: { name: 'corp-ca' },
      spec: {
        isCA: true,
        commonName: 'corp test CA',
        secretName: 'corp-ca',
        privateKey: { algorithm: 'ECDSA', size: 256 },
        issuerRef: { name: 'self', kind: 'Issuer' },
      },
    });
    await client.create(ISSUER, suite.namespace, {
      apiVersion: ISSUER.apiVersion,
      kind: 'Issuer',
      metadata: { name: 'corp' },
      spec: { ca: { secretName: 'corp-ca' } },
    });
    const caSecret = await eventually(
      'the corp CA Secret',
      async () => client.get<Secret>(SECRET, suite.namespace, 'corp-ca'),
      60_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\ncert-manager controller log:\n${controllerLog}`);
    });
    const corpCa = pem(caSecret, 'tls.crt');

    await client.create(PLATFORM, suite.namespace, issued('cm-a'));
    const ready = await certificatesReady('cm-a', 'Issued').catch((error: unknown) => {
      throw new Error(`${String(error)}\ncert-manager controller log:\n${controllerLog}`);
    });
    const components = desiredComponentNames(ready.spec);
    const bundle = pem(await client.get<Secret>(SECRET, suite.namespace, 'cm-a-tls-ca'), 'ca.crt');
    expect(bundle.trim()).toBe(corpCa.trim());
    const serials: Record<string, string> = {};
    for (const c of components) {
      const secret = await client.get<Secret>(SECRET, suite.namespace, `cm-a-${c}-tls`);
      expect(secret?.metadata.annotations?.[CERTIFICATE_NAME_ANNOTATION]).toBe(`cm-a-${c}`);
      expect(issuedByBundle(pem(secret, 'tls.crt'), bundle)).toBe(true);
      const facts = readCertificate(pem(secret, 'tls.crt'));
      expect(facts.subjectAltNames).toContain(`cm-a-${c}-hl.${suite.namespace}.svc.cluster.local`);
      // 720h, as the built-in CA issues.
      expect(facts.notAfter.getTime() - facts.notBefore.getTime()).toBe(720 * 3_600_000);
      serials[c] = facts.serialNumber;
    }
    expect(readCertificate(pem(await client.get<Secret>(SECRET, suite.namespace, 'cm-a-gateway-tls'), 'tls.crt')).subjectAltNames).toEqual(
      expect.arrayContaining(['localhost', '127.0.0.1']),
    );
    expect(ready.status?.certificates?.find((c) => c.name === 'kyc')?.serialNumber).toBe(serials.kyc);
    expect(ready.status?.certificates?.find((c) => c.name === 'ca')?.serialNumber).toBe(readCertificate(corpCa).serialNumber);
    // Rolled out, each pod's tls volume projecting the key pair and the bundle.
    const kyc = await eventually('the kyc Deployment of cm-a', async () => client.get<Deployment>(DEPLOYMENT, suite.namespace, 'cm-a-kyc'));
    expect(kyc.spec.template.spec.volumes?.find((v) => v.name === 'tls')?.projected).toBeDefined();

    // Re-issue: kyc's Secret deleted, a new public name for the gateway.
    await client.delete(SECRET, suite.namespace, 'cm-a-kyc-tls');
    await client.mergePatch(PLATFORM, suite.namespace, 'cm-a', {
      spec: { tls: { publicNames: ['localhost', '127.0.0.1', 'kyc.example.test'] } },
    });
    const followed = await eventually(
      'new serials for kyc and the gateway in status',
      async () => {
        const platform = await getPlatform(client, suite.namespace, 'cm-a');
        const condition = platform?.status?.conditions?.find((c) => c.type === 'CertificatesReady');
        const serial = (name: string): string | undefined => platform?.status?.certificates?.find((c) => c.name === name)?.serialNumber;
        return condition?.status === 'True' && serial('kyc') !== serials.kyc && serial('gateway') !== serials.gateway
          ? platform
          : undefined;
      },
      60_000,
    );
    const gateway = await client.get<Secret>(SECRET, suite.namespace, 'cm-a-gateway-tls');
    expect(readCertificate(pem(gateway, 'tls.crt')).subjectAltNames).toContain('kyc.example.test');
    expect(followed.status?.certificates?.find((c) => c.name === 'gateway')?.serialNumber).toBe(
      readCertificate(pem(gateway, 'tls.crt')).serialNumber,
    );
    expect(followed.status?.certificates?.find((c) => c.name === 'auth')?.serialNumber).toBe(serials.auth);
  }, 110_000);
});
