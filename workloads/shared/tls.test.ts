import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { createLogger, memoryDestination } from './logger.js';
import { SecretVolume, issueTls, testCa } from './testing/tls-files.js';
import type { TestCa } from './testing/tls-files.js';
import { ServiceTls, TLS_MIN_VERSION, checkTlsMaterial, fingerprint, readTlsMaterial, serverOptionsOf } from './tls.js';
import type { TlsMaterial } from './tls.js';

const NAMES = ['kyc-kyc', 'kyc-kyc.ns', 'localhost'];
const issue = (authority: TestCa): TlsMaterial => issueTls(authority, NAMES);

let ca: TestCa;
beforeAll(() => {
  ca = testCa();
});

describe('checkTlsMaterial', () => {
  it('when the set holds together, then it tells the serial, expiry and names (nothing of the key)', () => {
    const material = issue(ca);
    const summary = checkTlsMaterial(material);
    expect(summary.serial).toMatch(/^[0-9A-F]+$/);
    expect(summary.names).toContain('DNS:kyc-kyc.ns');
    expect(JSON.stringify(summary)).not.toContain('PRIVATE');
  });

  it('when the key is not the certificate’s (a read across a renewal), then the set is refused by file name', () => {
    const first = issue(ca);
    const second = issue(ca);
    expect(() => checkTlsMaterial({ ...second, key: first.key })).toThrow(/tls\.key is not the key of the certificate/);
  });

  it('when a file is cut short or empty, then the set is refused with a message of its own (no PEM in it)', () => {
    const material = issue(ca);
    const cut = (): TlsMaterial => ({ ...material, key: material.key.slice(0, 60) });
    expect(() => checkTlsMaterial(cut())).toThrow('tls.key is not a PEM private key');
    expect(() => checkTlsMaterial({ ...material, cert: '' })).toThrow('tls.crt is not a PEM certificate');
    expect(() => checkTlsMaterial({ ...material, ca: 'nothing' })).toThrow('ca.crt holds no PEM certificate');
  });
});

describe('fingerprint and serverOptionsOf', () => {
  it('when any one file changes, then the fingerprint changes; the server options pin TLS 1.3', () => {
    const material = issue(ca);
    expect(fingerprint(material)).toBe(fingerprint({ ...material }));
    expect(fingerprint({ ...material, ca: `${material.ca}\n` })).not.toBe(fingerprint(material));
    expect(serverOptionsOf(material)).toEqual({ cert: material.cert, key: material.key, minVersion: TLS_MIN_VERSION });
  });
});

/** The serial of the certificate a fresh TLS 1.3 connection to `port` is shown, verified against `trust`. */
function servedSerial(port: number, trust: string, maxVersion: tls.SecureVersion = 'TLSv1.3'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'kyc-kyc', ca: trust, maxVersion }, () => {
      const serial = socket.getPeerX509Certificate()?.serialNumber ?? '';
      expect(socket.getProtocol()).toBe('TLSv1.3');
      socket.end();
      resolve(serial);
    });
    socket.on('error', reject);
  });
}

describe('ServiceTls with real files and a real https server', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function serving(material: TlsMaterial): Promise<{ volume: SecretVolume; service: ServiceTls; port: number; logs: () => string }> {
    const volume = await SecretVolume.create(material);
    cleanup.push(() => volume.remove());
    const destination = memoryDestination();
    const logger = createLogger({ component: 'test', destination, level: 'debug' });
    const service = await ServiceTls.load(volume.dir, { logger });
    const server = https.createServer(service.serverOptions(), (_req, res) => res.end('ok'));
    service.serve(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    cleanup.push(() => server.closeAllConnections());
    return { volume, service, port: (server.address() as AddressInfo).port, logs: () => destination.text() };
  }

  it('when the directory is missing, then loading fails and names the directory', async () => {
    const logger = createLogger({ component: 'test', destination: memoryDestination() });
    await expect(ServiceTls.load('/nonexistent/kyc-tls', { logger })).rejects.toThrow(
      'KYC_TLS_DIR /nonexistent/kyc-tls: cannot read tls.crt, tls.key and ca.crt (ENOENT)',
    );
  });

  it('when the Secret volume is swapped, then the next poll serves the new certificate to new connections and the new bundle to callers', async () => {
    const first = issue(ca);
    const { volume, service, port, logs } = await serving(first);
    const firstSerial = checkTlsMaterial(first).serial;
    expect(await servedSerial(port, ca.cert)).toBe(firstSerial);

    const renewedCa = testCa('test-platform-ca-2');
    const second = { ...issue(renewedCa), ca: `${ca.cert}${renewedCa.cert}` };
    await volume.swap(second);
    await service.poll();
    const secondSerial = checkTlsMaterial(second).serial;
    expect(await servedSerial(port, second.ca)).toBe(secondSerial);
    expect(service.current.serial).toBe(secondSerial);
    expect(service.ca()).toBe(second.ca);
    expect(logs()).toContain('TLS certificate reloaded');
    expect(logs()).not.toContain('PRIVATE KEY');
    // The renewed context keeps the floor: TLS 1.2 is still refused.
    await expect(servedSerial(port, second.ca, 'TLSv1.2')).rejects.toMatchObject({ code: expect.stringMatching(/PROTOCOL_VERSION/) });
  });

  it('when a renewal is read half-written, then the old certificate stays, an error is logged once without key material, and the completed set is taken at the next poll', async () => {
    const first = issue(ca);
    const { volume, service, port, logs } = await serving(first);
    const firstSerial = checkTlsMaterial(first).serial;
    const second = issue(ca);

    await volume.overwrite('tls.crt', second.cert); // the new certificate beside the old key
    await service.poll();
    await service.poll();
    expect(await servedSerial(port, ca.cert)).toBe(firstSerial);
    const errors = logs()
      .split('\n')
      .filter((line) => line.includes('"level":"error"'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('tls.key is not the key of the certificate');
    expect(logs()).not.toContain('PRIVATE KEY');

    await volume.overwrite('tls.key', second.key);
    await service.poll();
    expect(await servedSerial(port, ca.cert)).toBe(checkTlsMaterial(second).serial);
  });

  it('when started, then it polls on its own every intervalMs', async () => {
    const first = issue(ca);
    const volume = await SecretVolume.create(first);
    cleanup.push(() => volume.remove());
    const logger = createLogger({ component: 'test', destination: memoryDestination() });
    const service = await ServiceTls.load(volume.dir, { logger, intervalMs: 20 });
    service.start();
    cleanup.push(() => service.stop());
    const second = issue(ca);
    await volume.swap(second);
    const serial = checkTlsMaterial(second).serial;
    for (let i = 0; i < 100 && service.current.serial !== serial; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(service.current.serial).toBe(serial);
    expect(await readTlsMaterial(volume.dir)).toEqual(second);
  });
});
