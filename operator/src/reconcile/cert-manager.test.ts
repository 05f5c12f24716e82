import { describe, expect, it } from '@jest/globals';
import { desiredComponentNames } from '../api/defaults.js';
import { platform } from '../api/fixtures.js';
import type { KycPlatform } from '../api/types.js';
import { issueCa, issueLeaf, splitBundle } from '../api/x509.js';
import { CERTIFICATE_CRD, CERTIFICATE_NAME_ANNOTATION } from '../render/cert-manager.js';
import { certificateNames } from '../render/tls.js';
import type { KubeResource } from '../runtime/kube.js';
import { FakeKube } from '../runtime/testing/fake-kube.js';
import { CERTIFICATE_TYPE, IssuerCertificates, REASON_CERT_MANAGER_NOT_INSTALLED, REASON_CERTIFICATES_PENDING } from './cert-manager.js';
import { PlatformCertificates } from './certificates.js';
import { CRD } from './optional-kind.js';
import { SECRET } from './resources.js';

const T0 = new Date('2026-12-06T12:00:00Z');
const NS = 'kyc-test';
type Secret = KubeResource & { type?: string; data?: Record<string, string> };
const b64 = (text: string): string => Buffer.from(text).toString('base64');
const issuerCa = issueCa('corp issuer', {
  notBefore: new Date(T0.getTime() - 3_600_000),
  notAfter: new Date(T0.getTime() + 9_000 * 3_600_000),
});

function setup(installed = true): { kube: FakeKube; issuer: IssuerCertificates; p: KycPlatform } {
  const kube = new FakeKube();
  if (installed) void kube.create(CRD, '', { apiVersion: CRD.apiVersion, kind: CRD.kind, metadata: { name: CERTIFICATE_CRD } });
  return { kube, issuer: new IssuerCertificates(kube.asClient()), p: platform({ tls: { issuerRef: { name: 'corp' } } }) };
}

/** What cert-manager does for a Certificate: the Secret (tls.crt, tls.key, ca.crt) and Ready for its generation. */
async function issue(kube: FakeKube, p: KycPlatform): Promise<void> {
  for (const c of desiredComponentNames(p.spec)) {
    const names = certificateNames(p, c);
    const leaf = issueLeaf(issuerCa, {
      commonName: names[0] ?? c,
      subjectAltNames: names,
      usages: ['server', 'client'],
      notBefore: T0,
      notAfter: new Date(T0.getTime() + 720 * 3_600_000),
    });
    await kube.create(SECRET, NS, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `acme-${c}-tls`, namespace: NS, annotations: { [CERTIFICATE_NAME_ANNOTATION]: `acme-${c}` } },
      data: { 'tls.crt': b64(leaf.cert), 'tls.key': b64(leaf.key), 'ca.crt': b64(issuerCa.cert) },
    });
    const certificate = kube.peek(CERTIFICATE_TYPE, NS, `acme-${c}`);
    kube.setStatus(CERTIFICATE_TYPE, NS, `acme-${c}`, {
      conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', observedGeneration: certificate?.metadata.generation }],
    });
  }
}

describe('IssuerCertificates', () => {
  it('when cert-manager is not installed, then nothing is written and the platform is held with CertManagerNotInstalled', async () => {
    const { kube, issuer, p } = setup(false);
    const outcome = await issuer.ensure(p, T0);
    expect(outcome.hold?.reason).toBe(REASON_CERT_MANAGER_NOT_INSTALLED);
    expect(outcome.condition).toMatchObject({ type: 'CertificatesReady', status: 'False', reason: REASON_CERT_MANAGER_NOT_INSTALLED });
    expect(outcome.condition.message).toMatch(/Issuer corp.*certificates\.cert-manager\.io is not installed/);
    expect(kube.writes).toEqual([]);
  });

  it('when installed, then one Certificate per component is written and the platform is held until the Secrets hold certificates', async () => {
    const { kube, issuer, p } = setup();
    const outcome = await issuer.ensure(p, T0);
    const components = desiredComponentNames(p.spec);
    expect(
      kube
        .peekAll(CERTIFICATE_TYPE, NS)
        .map((c) => c.metadata.name)
        .sort(),
    ).toEqual(components.map((c) => `acme-${c}`).sort());
    expect(outcome.hold?.reason).toBe(REASON_CERTIFICATES_PENDING);
    expect(outcome.condition).toMatchObject({ status: 'False', reason: REASON_CERTIFICATES_PENDING });
    expect(outcome.written).toHaveLength(components.length);
    expect(outcome.requeueAfterMs).toBe(10_000);
    expect(await kube.get(SECRET, NS, 'acme-tls-ca')).toBeUndefined();
  });

  it('when cert-manager has issued, then CertificatesReady is True, the bundle is the issuer CA in <platform>-tls-ca, and a second pass writes nothing', async () => {
    const { kube, issuer, p } = setup();
    await issuer.ensure(p, T0);
    await issue(kube, p);
    const outcome = await issuer.ensure(p, T0);
    expect(outcome.hold).toBeUndefined();
    expect(outcome.condition).toMatchObject({ status: 'True', reason: 'Issued' });
    expect(outcome.written).toEqual(['acme-tls-ca']);
    const bundle = await kube.get<Secret>(SECRET, NS, 'acme-tls-ca');
    expect(Object.keys(bundle?.data ?? {})).toEqual(['ca.crt']);
    expect(splitBundle(Buffer.from(bundle?.data?.['ca.crt'] ?? '', 'base64').toString())).toEqual([`${issuerCa.cert.trim()}\n`]);
    expect(bundle?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'KycPlatform', name: 'acme' });
    expect(outcome.expiries.map((e) => e.name)).toEqual(['ca', ...desiredComponentNames(p.spec)]);
    const writes = kube.writes.length;
    expect((await issuer.ensure(p, T0)).written).toEqual([]);
    expect(kube.writes).toHaveLength(writes);
  });

  it('when a new name changes a Certificate, then CertificatesReady is False (Issuing) until cert-manager re-issues, and nothing is held', async () => {
    const { kube, issuer, p } = setup();
    await issuer.ensure(p, T0);
    await issue(kube, p);
    const renamed = platform({ tls: { issuerRef: { name: 'corp' }, publicNames: ['kyc.example.com'] } });
    const outcome = await issuer.ensure(renamed, T0);
    expect(outcome.hold).toBeUndefined();
    expect(outcome.condition).toMatchObject({ status: 'False', reason: 'Issuing' });
    expect(outcome.condition.message).toMatch(/^waiting for Issuer corp: gateway: its Certificate is not Ready/);
  });

  it('when a Secret of that name belongs to someone else, then it is never taken for the platform’s', async () => {
    const { kube, issuer, p } = setup();
    await kube.create(SECRET, NS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'acme-kyc-tls', namespace: NS } });
    await expect(issuer.ensure(p, T0)).rejects.toThrow(
      /acme-kyc-tls exists and belongs neither to Certificate acme-kyc nor to KycPlatform acme/,
    );
  });

  it('is what PlatformCertificates does when spec.tls.issuerRef is set: no built-in CA is made', async () => {
    const { kube, p } = setup();
    const outcome = await new PlatformCertificates(kube.asClient()).ensure(p, T0);
    expect(outcome?.hold?.reason).toBe(REASON_CERTIFICATES_PENDING);
    expect(kube.writes.filter((w) => w.kind !== 'Certificate').map((w) => w.kind)).toEqual(['CustomResourceDefinition']);
  });
});
