// Certificates for tests as the operator issues them (its X.509 writer: ECDSA P-256, SHA-256), in a
// directory laid out as the kubelet lays out a Secret volume: each file a symlink through `..data`,
// which points at a timestamped directory and is replaced in one rename (so a renewal is atomic).
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCa, issueLeaf } from '../../../operator/src/api/x509.js';
import type { KeyPair } from '../../../operator/src/api/x509.js';
import type { TlsMaterial } from '../tls.js';

export type TestCa = KeyPair;

const HOUR_MS = 3_600_000;
const validFor = (hours: number): { notBefore: Date; notAfter: Date } => ({
  notBefore: new Date(Date.now() - HOUR_MS),
  notAfter: new Date(Date.now() + hours * HOUR_MS),
});

export function testCa(commonName = 'test-platform-ca'): TestCa {
  return issueCa(commonName, validFor(24));
}

/** A leaf for `names` signed by `ca`, with `bundle` (default: `ca`) as the trust bundle: a Secret `<platform>-<component>-tls`. */
export function issueTls(ca: TestCa, names: readonly string[], bundle = ca.cert): TlsMaterial {
  const { cert, key } = issueLeaf(ca, {
    commonName: names[0] ?? 'test',
    subjectAltNames: names,
    usages: ['server', 'client'],
    ...validFor(2),
  });
  return { cert, key, ca: bundle };
}

export class SecretVolume {
  private generation = 0;

  private constructor(readonly dir: string) {}

  static async create(material: TlsMaterial): Promise<SecretVolume> {
    const volume = new SecretVolume(await mkdtemp(join(tmpdir(), 'kyc-tls-')));
    await volume.swap(material);
    for (const file of ['tls.crt', 'tls.key', 'ca.crt']) await symlink(join('..data', file), join(volume.dir, file));
    return volume;
  }

  /** A renewal as the kubelet writes it: a new directory, then `..data` swapped to it at once. */
  async swap(material: TlsMaterial): Promise<void> {
    this.generation += 1;
    const version = `..2026_12_05_${this.generation}`;
    await mkdir(join(this.dir, version));
    await writeFile(join(this.dir, version, 'tls.crt'), material.cert);
    await writeFile(join(this.dir, version, 'tls.key'), material.key);
    await writeFile(join(this.dir, version, 'ca.crt'), material.ca);
    await symlink(version, join(this.dir, '..data_tmp'));
    await rename(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
  }

  /** Writes one file in place: what a reader sees in the middle of a non-atomic renewal. */
  async overwrite(file: 'tls.crt' | 'tls.key', content: string): Promise<void> {
    await writeFile(join(this.dir, `..2026_12_05_${this.generation}`, file), content);
  }

  remove(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}
