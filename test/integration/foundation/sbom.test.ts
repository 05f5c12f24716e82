// The SBOM `make sbom` writes lists what the images run: every production dependency at the version
// the lock pins, and no development tool (the runtime stage installs with --omit=dev).
// Guards hack/sbom.ts's own filter: npm 11's `--omit dev` drops a production package (js-yaml) that a dev tool also uses at another version.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

interface Manifest {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}
interface Lock {
  packages: Record<string, { version?: string; dev?: boolean }>;
}
interface Bom {
  bomFormat: string;
  specVersion: string;
  components: { name: string; version: string; purl?: string }[];
}

describe('make sbom', () => {
  it('lists every production dependency at its locked version and no development tool', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sbom-'));
    try {
      const out = join(dir, 'bom.json');
      const { stdout } = await exec('node', ['hack/sbom.ts', out], { timeout: 60_000 });
      expect(stdout.trim()).toBe(out);
      const bom = JSON.parse(readFileSync(out, 'utf8')) as Bom;
      expect(bom.bomFormat).toBe('CycloneDX');
      expect(bom.specVersion).toBe('1.5');

      const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;
      const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as Lock;
      const listed = new Map(bom.components.map((c) => [c.name, c.version]));
      for (const name of Object.keys(manifest.dependencies)) {
        expect([name, listed.get(name)]).toEqual([name, lock.packages[`node_modules/${name}`]?.version]);
      }
      // Exactly the lock's production closure (what `npm ci --omit=dev` installs), each at its version.
      const production = Object.entries(lock.packages)
        .filter(([path, entry]) => path !== '' && !entry.dev)
        .map(([path, entry]) => `${path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)}@${entry.version}`);
      expect(new Set(bom.components.map((c) => `${c.name}@${c.version}`))).toEqual(new Set(production));
      for (const name of Object.keys(manifest.devDependencies)) {
        const entry = lock.packages[`node_modules/${name}`];
        if (entry?.dev) expect([name, listed.get(name)]).not.toEqual([name, entry.version]);
      }
      // Each component carries a package URL, what scanners match advisories on.
      expect(bom.components.every((c) => c.purl?.startsWith('pkg:npm/'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
