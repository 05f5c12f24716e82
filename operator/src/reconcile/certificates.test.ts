import { describe, expect, it, jest } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import type { KycPlatform } from '../api/types.js';
import { issuedByBundle, readCertificate } from '../api/x509.js';
import { ROTATE_ANNOTATION } from '../release/certificates.js';
import type { KubeResource } from '../runtime/kube.js';
import { FakeKube } from '../runtime/testing/fake-kube.js';
import { CONDITION_CERTIFICATES_READY, PlatformCertificates, PlatformTrust } from './certificates.js';
import { SECRET } from './resources.js';

const T0 = new Date('2026-11-26T12:00:00Z');
type Secret = KubeResource & { type?: string; data?: Record<string, string> };
const pem = (secret: Secret | undefined, key: string): string => Buffer.from(secret?.data?.[key] ?? '', 'base64').toString('utf8');

function setup(spec: Partial<KycPlatform['spec']> = {}): { kube: FakeKube; certificates: PlatformCertificates; p: KycPlatform } {
  const kube = new FakeKube();
  return { kube, certificates: new PlatformCertificates(kube.asClient()), p: platform({ tls: { publicNames: ['localhost'] }, ...spec }) };
}

describe('PlatformCertificates', () => {
  it('when a platform has none, then it writes the CA Secret and one kubernetes.io/tls Secret per component, owned by the platform', async () => {
    const { kube, certificates, p } = setup();
    const outcome = await certificates.ensure(p, T0);
    expect(kube.writes.map((w) => `${w.verb} ${w.name}`)).toEqual([
      'apply acme-tls-ca',
      ...['gateway', 'kyc', 'auth', 'notification', 'analytics', 'frontend'].map((c) => `apply acme-${c}-tls`),
    ]);
    const ca = await kube.get<Secret>(SECRET, 'kyc-test', 'acme-tls-ca');
    const kyc = await kube.get<Secret>(SECRET, 'kyc-test', 'acme-kyc-tls');
    expect(ca?.type).toBe('Opaque');
    expect(kyc?.type).toBe('kubernetes.io/tls');
    expect(kyc?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'KycPlatform', name: 'acme', controller: true });
    expect(kyc?.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('kyc-operator');
    expect(pem(kyc, 'ca.crt')).toBe(pem(ca, 'ca.crt'));
    expect(issuedByBundle(pem(kyc, 'tls.crt'), pem(kyc, 'ca.crt'))).toBe(true);
    expect(readCertificate(pem(kyc, 'tls.crt')).subjectAltNames).toContain('acme-kyc-hl.kyc-test.svc.cluster.local');
    expect(readCertificate(pem(await kube.get<Secret>(SECRET, 'kyc-test', 'acme-gateway-tls'), 'tls.crt')).subjectAltNames).toContain(
      'localhost',
    );
    expect(outcome?.condition).toMatchObject({ type: CONDITION_CERTIFICATES_READY, status: 'True' });
    expect(outcome?.expiries.map((e) => e.name)).toEqual(['ca', 'gateway', 'kyc', 'auth', 'notification', 'analytics', 'frontend']);
    expect(outcome?.expiries[1]?.notAfter).toEqual(new Date(T0.getTime() + 720 * 3_600_000));
  });

  it('when everything is in order, then the next pass writes nothing and looks again at 2/3 of the validity', async () => {
    const { kube, certificates, p } = setup();
    await certificates.ensure(p, T0);
    const writes = kube.writes.length;
    const outcome = await certificates.ensure(p, new Date(T0.getTime() + 3_600_000));
    expect(kube.writes).toHaveLength(writes);
    expect(outcome?.requeueAfterMs).toBe(480 * 3_600_000 - 3_600_000);
  });

  it('when a pass found everything in order, then the passes of the next minute read no Secret; after it, or with other inputs, they read again', async () => {
    const { kube, certificates, p } = setup();
    await certificates.ensure(p, T0);
    const get = jest.spyOn(kube, 'get');
    const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
    // The first pass wrote the Secrets, so it knows they are in order: the passes of its minute read none.
    await certificates.ensure(p, at(1));
    expect(get).not.toHaveBeenCalled();
    const spared = await certificates.ensure(p, at(30));
    expect(get).not.toHaveBeenCalled();
    expect(spared?.written).toEqual([]);
    expect(spared?.condition).toMatchObject({ status: 'True', reason: 'Issued' });
    expect(spared?.expiries.map((e) => e.name)).toEqual(['ca', 'gateway', 'kyc', 'auth', 'notification', 'analytics', 'frontend']);
    // The same deadline as a pass that read them back would give: the end of the new bundle's overlap (5 minutes).
    expect(spared?.requeueAfterMs).toBe(300_000 - 30_000);
    // A minute after the writing: read again, found in order, and taken as the answer for the next minute.
    await certificates.ensure(p, at(61));
    expect(get).toHaveBeenCalledTimes(7);
    await certificates.ensure(p, at(90));
    expect(get).toHaveBeenCalledTimes(7);
    // A rotation request is another input: read at once (and the leaves written again after the overlap).
    await certificates.ensure({ ...p, metadata: { ...p.metadata, annotations: { [ROTATE_ANNOTATION]: 'now' } } }, at(92));
    expect(get).toHaveBeenCalledTimes(14);
    // A forgotten platform (deleted) is read again if it comes back.
    const again = setup();
    await again.certificates.ensure(again.p, T0);
    await again.certificates.ensure(again.p, at(1));
    again.certificates.forget('kyc-test', 'acme');
    const getAgain = jest.spyOn(again.kube, 'get');
    await again.certificates.ensure(again.p, at(2));
    expect(getAgain).toHaveBeenCalledTimes(7);
  });

  it('when a pass renewed some leaves, then the passes of its minute read nothing and find what a read-back would', async () => {
    const { kube, certificates, p } = setup();
    await certificates.ensure(p, T0);
    const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
    const rotated = { ...p, metadata: { ...p.metadata, annotations: { [ROTATE_ANNOTATION]: 'r1' } } };
    const renewed = await certificates.ensure(rotated, at(400));
    expect(renewed?.written).toHaveLength(6);
    const get = jest.spyOn(kube, 'get');
    const spared = await certificates.ensure(rotated, at(420));
    expect(get).not.toHaveBeenCalled();
    // The answer a fresh instance gives after reading the Secrets back.
    const fresh = new PlatformCertificates(kube.asClient());
    const read = await fresh.ensure(rotated, at(420));
    expect(read?.written).toEqual([]);
    expect(spared?.requeueAfterMs).toBe(read?.requeueAfterMs);
    expect(spared?.expiries).toEqual(read?.expiries);
    expect(spared?.condition).toEqual(read?.condition);
  });

  it('when the platforms in order are more than the reads a second allow in a minute, then each one’s Secrets are read less often', async () => {
    const kube = new FakeKube();
    const certificates = new PlatformCertificates(kube.asClient(), { recheckReadsPerSecond: 1 });
    const fleet = Array.from({ length: 50 }, (_, i) => {
      const p = platform({ tls: { publicNames: ['localhost'] } });
      return { ...p, metadata: { ...p.metadata, name: `p${i}`, uid: `uid-${i}` } };
    });
    const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
    for (const p of fleet) await certificates.ensure(p, T0);
    // After the new bundle's overlap, every platform is read and found in order.
    for (const p of fleet) await certificates.ensure(p, at(301));
    const get = jest.spyOn(kube, 'get');
    // 50 platforms of seven Secrets at one read a second: each one's read again after 350 s, not 60 s.
    const first = fleet[0] as KycPlatform;
    await certificates.ensure(first, at(301 + 349));
    expect(get).not.toHaveBeenCalled();
    await certificates.ensure(first, at(301 + 351));
    expect(get).toHaveBeenCalledTimes(7);
  });

  it('when a Secret is deleted behind the operator, then it is written again at the first pass after the minute', async () => {
    const { kube, certificates, p } = setup();
    await certificates.ensure(p, T0);
    await certificates.ensure(p, new Date(T0.getTime() + 1000));
    await kube.delete(SECRET, 'kyc-test', 'acme-kyc-tls');
    const writes = kube.writes.length;
    await certificates.ensure(p, new Date(T0.getTime() + 30_000));
    expect(kube.writes.length).toBe(writes);
    const outcome = await certificates.ensure(p, new Date(T0.getTime() + 62_000));
    expect(outcome?.written).toEqual(['acme-kyc-tls']);
    expect(await kube.get<Secret>(SECRET, 'kyc-test', 'acme-kyc-tls')).toBeDefined();
  });

  it('when the rotate annotation changes, then the six leaves are written again with new serials, the CA kept', async () => {
    const { kube, certificates, p } = setup();
    await certificates.ensure(p, T0);
    const before = readCertificate(pem(await kube.get<Secret>(SECRET, 'kyc-test', 'acme-auth-tls'), 'tls.crt')).serialNumber;
    const writes = kube.writes.length;
    const rotated = { ...p, metadata: { ...p.metadata, annotations: { [ROTATE_ANNOTATION]: '2026-11-26' } } };
    // After the first bundle's overlap (5 minutes): a rotation never outruns a trust bundle.
    await certificates.ensure(rotated, new Date(T0.getTime() + 6 * 60_000));
    expect(kube.writes.slice(writes).map((w) => w.name)).toHaveLength(6);
    expect(kube.writes.slice(writes).map((w) => w.name)).not.toContain('acme-tls-ca');
    const after = await kube.get<Secret>(SECRET, 'kyc-test', 'acme-auth-tls');
    expect(readCertificate(pem(after, 'tls.crt')).serialNumber).not.toBe(before);
    await certificates.ensure(rotated, new Date(T0.getTime() + 7 * 60_000));
    expect(kube.writes.length).toBe(writes + 6);
  });

  it('when the certificates pass read or wrote the CA Secret, then the trust bundle is taken from it for a minute, unread', async () => {
    const { kube, p } = setup();
    let now = T0.getTime();
    const trust = new PlatformTrust(kube.asClient(), 60_000, () => now);
    const certificates = new PlatformCertificates(kube.asClient(), { trust });
    await certificates.ensure(p, T0);
    const get = jest.spyOn(kube, 'get');
    const bundle = await trust.bundle('kyc-test', 'acme');
    expect(get).not.toHaveBeenCalled();
    const ca = await kube.get<Secret>(SECRET, 'kyc-test', 'acme-tls-ca');
    expect(bundle).toBe(pem(ca, 'ca.crt'));
    expect(await trust.forComponent(p, 'kyc')).toEqual({ ca: bundle, servername: 'acme-kyc' });
    get.mockClear();
    now += 60_000;
    expect(await trust.bundle('kyc-test', 'acme')).toBe(bundle);
    expect(get).toHaveBeenCalledTimes(1);
  });

  it('when a Secret of that name is not the platform’s, then it is left alone and the pass fails saying so', async () => {
    const { kube, certificates, p } = setup();
    await kube.create(SECRET, 'kyc-test', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'acme-kyc-tls', namespace: 'kyc-test' } });
    await expect(certificates.ensure(p, T0)).rejects.toThrow('Secret kyc-test/acme-kyc-tls exists and is not owned by KycPlatform acme');
  });

  it('when tls.mode is Disabled, then nothing is issued', async () => {
    const { kube, certificates } = setup();
    expect(await certificates.ensure(platform({ profile: 'development', tls: { mode: 'Disabled' } }), T0)).toBeUndefined();
    expect(kube.writes).toEqual([]);
  });
});
