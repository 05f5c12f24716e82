import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { createCa, createServingCert, needsRotation } from './cert.js';

const now = new Date('2026-11-26T12:00:00Z');
const names = ['kyc-operator-metrics.kyc-system.svc', 'kyc-operator-metrics.kyc-system.svc.cluster.local', '10.0.0.7'];

describe('certificates', () => {
  const ca = createCa(now);
  const serving = createServingCert(ca, names, now);

  it('makes a CA that Node.js parses as a CA and a serving certificate it signed, with the names as SANs', () => {
    const caCert = new X509Certificate(ca.caCert);
    expect(caCert.ca).toBe(true);
    expect(caCert.subject).toBe('CN=kyc-operator-external-metrics-ca');
    const cert = new X509Certificate(serving.cert);
    expect(cert.ca).toBe(false);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.checkHost('kyc-operator-metrics.kyc-system.svc')).toBe('kyc-operator-metrics.kyc-system.svc');
    expect(cert.checkIP('10.0.0.7')).toBe('10.0.0.7');
    expect(cert.subjectAltName).toContain('DNS:kyc-operator-metrics.kyc-system.svc.cluster.local');
    expect(new Date(cert.validTo).getTime() - now.getTime()).toBe(365 * 86_400_000);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });

  it('rotates when missing, when the names change, and in the last third of the life', () => {
    expect(needsRotation(undefined, names, now)).toBe('ca');
    expect(needsRotation({ ...ca }, names, now)).toBe('serving');
    expect(needsRotation({ ...ca, ...serving }, names, now)).toBeUndefined();
    expect(needsRotation({ ...ca, ...serving }, [...names, 'other.svc'], now)).toBe('serving');
    expect(needsRotation({ ...ca, ...serving }, names, new Date(now.getTime() + 250 * 86_400_000))).toBe('serving');
    expect(needsRotation({ ...ca, ...serving }, names, new Date(now.getTime() + 2500 * 86_400_000))).toBe('ca');
    const otherCa = createCa(now);
    expect(needsRotation({ ...otherCa, cert: serving.cert, key: serving.key }, names, now)).toBe('serving');
    expect(needsRotation({ caCert: ca.caCert, caKey: otherCa.caKey }, names, now)).toBe('ca');
  });
});
