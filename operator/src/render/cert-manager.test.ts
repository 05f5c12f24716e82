import { describe, expect, it } from '@jest/globals';
import { desiredComponentNames } from '../api/defaults.js';
import { platform } from '../api/fixtures.js';
import { goDuration, issuerRefOf, renderCertificates } from './cert-manager.js';
import { certificateNames } from './tls.js';

type Spec = {
  secretName: string;
  commonName?: string;
  dnsNames: string[];
  ipAddresses?: string[];
  duration: string;
  renewBefore: string;
  usages: string[];
  privateKey: unknown;
  issuerRef: unknown;
  secretTemplate: { labels: Record<string, string> };
};

describe('the cert-manager Certificates', () => {
  it('renders none while the built-in CA issues', () => {
    expect(renderCertificates(platform())).toEqual([]);
    expect(issuerRefOf(platform())).toBeUndefined();
  });

  it('renders one per component for the Secret the pods mount, with the built-in names, serverAuth and clientAuth, owned by the platform', () => {
    const p = platform({ tls: { issuerRef: { name: 'kyc-ca' }, publicNames: ['localhost', '127.0.0.1'] } });
    const certificates = renderCertificates(p);
    expect(certificates.map((c) => c.metadata.name)).toEqual(desiredComponentNames(p.spec).map((c) => `acme-${c}`));
    const kyc = certificates.find((c) => c.metadata.name === 'acme-kyc');
    const spec = kyc?.spec as Spec;
    expect(kyc).toMatchObject({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate' });
    expect(kyc?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'KycPlatform', name: 'acme', controller: true });
    expect(kyc?.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('kyc-operator');
    expect(spec.secretName).toBe('acme-kyc-tls');
    expect(spec.secretTemplate.labels['app.kubernetes.io/instance']).toBe('acme');
    expect(spec.commonName).toBe('acme-kyc');
    expect(spec.dnsNames).toEqual(certificateNames(p, 'kyc'));
    expect(spec.ipAddresses).toBeUndefined();
    expect(spec.usages).toEqual(['digital signature', 'server auth', 'client auth']);
    expect(spec.privateKey).toEqual({ algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' });
    expect(spec.issuerRef).toEqual({ name: 'kyc-ca', kind: 'Issuer', group: 'cert-manager.io' });
    // The gateway's public names: a DNS name among the DNS names, an address among the IP addresses.
    const gateway = certificates.find((c) => c.metadata.name === 'acme-gateway')?.spec as Spec;
    expect(gateway.dnsNames).toContain('localhost');
    expect(gateway.dnsNames).not.toContain('127.0.0.1');
    expect(gateway.ipAddresses).toEqual(['127.0.0.1']);
  });

  it('asks for certificateValidity and a renewal at 2/3 of it, from the issuer the spec names', () => {
    const p = platform({ tls: { issuerRef: { name: 'corp', kind: 'ClusterIssuer', group: 'example.io' }, certificateValidity: '1h30m' } });
    const spec = renderCertificates(p)[0]?.spec as Spec;
    expect(spec.duration).toBe('1h30m');
    expect(spec.renewBefore).toBe('0h30m');
    expect(spec.issuerRef).toEqual({ name: 'corp', kind: 'ClusterIssuer', group: 'example.io' });
    expect((renderCertificates(platform({ tls: { issuerRef: { name: 'x' } } }))[0]?.spec as Spec).renewBefore).toBe('240h0m');
  });

  it('writes durations as Go durations of whole minutes', () => {
    expect(goDuration(720 * 3_600_000)).toBe('720h0m');
    expect(goDuration(90 * 60_000 + 59_999)).toBe('1h30m');
  });
});
