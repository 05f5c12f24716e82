import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageVersion } from './version.js';

describe('packageVersion', () => {
  it("is this repository's package.json version", () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(packageVersion()).toBe(manifest.version);
  });

  it('skips a package.json of another package on the way up (as in the image: /app/dist/... → /app)', () => {
    const root = mkdtempSync(join(tmpdir(), 'kyc-version-'));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'kyc-operator', version: '9.8.7' }));
    mkdirSync(join(root, 'dist', 'operator', 'src'), { recursive: true });
    writeFileSync(join(root, 'dist', 'package.json'), JSON.stringify({ name: 'something-else', version: '1.0.0' }));
    expect(packageVersion(join(root, 'dist', 'operator', 'src'))).toBe('9.8.7');
  });

  it('is unknown when no kyc-operator package.json is above', () => {
    expect(packageVersion(mkdtempSync(join(tmpdir(), 'kyc-version-')))).toBe('unknown');
  });
});
