import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import {
  canonicalName,
  createCa,
  createServingCert,
  issueCa,
  issueLeaf,
  issuedByBundle,
  keyMatches,
  needsRotation,
  readCertificate,
  splitBundle,
} from './x509.js';

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

describe('a platform CA and its leaves', () => {
  const validity = { notBefore: now, notAfter: new Date(now.getTime() + 365 * 86_400_000) };
  const ca = issueCa('kyc-platform demo/kyc CA 1', validity);
  const sans = ['demo-kyc', 'demo-kyc.demo', 'demo-kyc.demo.svc', 'demo-kyc.demo.svc.cluster.local', '127.0.0.1', '::1'];
  const leaf = issueLeaf(ca, { commonName: 'demo-kyc', subjectAltNames: sans, usages: ['server', 'client'], ...validity });

  it('signs a leaf with DNS and IP names, serverAuth and clientAuth, that verifies against the CA and no other', () => {
    const cert = new X509Certificate(leaf.cert);
    const caCert = new X509Certificate(ca.cert);
    expect(caCert.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.checkHost('demo-kyc.demo.svc.cluster.local')).toBe('demo-kyc.demo.svc.cluster.local');
    expect(cert.checkHost('demo-auth.demo.svc')).toBeUndefined();
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBe('::1');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(keyMatches(leaf.cert, leaf.key)).toBe(true);
    expect(keyMatches(leaf.cert, ca.key)).toBe(false);
    const other = issueCa('kyc-platform demo/kyc CA 1', validity);
    expect(cert.verify(new X509Certificate(other.cert).publicKey)).toBe(false);
    expect(issuedByBundle(leaf.cert, other.cert)).toBe(false);
    expect(issuedByBundle(leaf.cert, other.cert + ca.cert)).toBe(true);
  });

  it('reads back the serial, the validity and the names it wrote', () => {
    const serial = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
    const facts = readCertificate(issueLeaf(ca, { commonName: 'x', subjectAltNames: sans, usages: ['server'], ...validity, serial }).cert);
    expect(facts).toEqual({
      serialNumber: '0123456789ABCDEF0123456789ABCDEF',
      notBefore: now,
      notAfter: validity.notAfter,
      subjectAltNames: [
        'demo-kyc',
        'demo-kyc.demo',
        'demo-kyc.demo.svc',
        'demo-kyc.demo.svc.cluster.local',
        '127.0.0.1',
        '0:0:0:0:0:0:0:1',
      ],
      ca: false,
    });
    expect(readCertificate(leaf.cert).serialNumber).not.toBe(readCertificate(ca.cert).serialNumber);
    expect(splitBundle(ca.cert + leaf.cert)).toEqual([ca.cert, leaf.cert]);
    expect(sans.map(canonicalName)).toEqual(facts.subjectAltNames.map(canonicalName));
  });

  it('is accepted by a TLS 1.3 handshake that checks the chain and the name, with the CA among two of one name in the bundle', async () => {
    const other = issueCa('kyc-platform demo/kyc CA 1', validity);
    const server = createServer({ cert: leaf.cert, key: leaf.key, minVersion: 'TLSv1.3' }, (socket) => socket.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const handshake = (servername: string, bundle: string): Promise<string> =>
      new Promise((resolve) => {
        const socket = connect({ host: '127.0.0.1', port, servername, ca: splitBundle(bundle), minVersion: 'TLSv1.3' }, () => {
          resolve(socket.getProtocol() ?? '');
          socket.end();
        });
        socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      });
    try {
      expect(await handshake('demo-kyc.demo.svc', other.cert + ca.cert)).toBe('TLSv1.3');
      expect(await handshake('demo-auth.demo.svc', ca.cert)).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
      expect(await handshake('demo-kyc.demo.svc', other.cert)).not.toBe('TLSv1.3');
    } finally {
      server.close();
    }
  });
});
