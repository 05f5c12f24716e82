// `make sbom`: the software bill of materials of what the images run — the npm packages of the
// Dockerfile's runtime stage (`npm ci --omit=dev`) — as CycloneDX 1.5 JSON, from package-lock.json with
// npm's own `npm sbom` (no network, no extra tool). It does not list the base image's Debian packages
// or Node.js itself (docs/install.md says what covers those).
//
// Why not `npm sbom --omit dev`: when a package is both a production dependency and, at another
// version, a development tool's (js-yaml 5 for us, js-yaml 4 under eslint), npm 11 drops both. So the
// whole tree is listed and the components npm marks `cdx:npm:package:development` are removed here.
// Runs on Node 24's type stripping (no build step), hence erasable TypeScript only.
//   node hack/sbom.ts [OUT]   default OUT: dist/sbom/kyc-operator-<version>.cdx.json; prints the path
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

interface Component {
  'bom-ref': string;
  properties?: { name: string; value: string }[];
}
interface Bom {
  components: Component[];
  dependencies?: { ref: string; dependsOn?: string[] }[];
}

const isDevelopment = (c: Component): boolean =>
  (c.properties ?? []).some((p) => p.name === 'cdx:npm:package:development' && p.value === 'true');

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const out = process.argv[2] ?? `dist/sbom/kyc-operator-${version}.cdx.json`;
const { stdout } = await run('npm', ['sbom', '--sbom-format', 'cyclonedx', '--package-lock-only'], { maxBuffer: 64 << 20 });
const bom = JSON.parse(stdout) as Bom;
const dropped = new Set(bom.components.filter(isDevelopment).map((c) => c['bom-ref']));
bom.components = bom.components.filter((c) => !dropped.has(c['bom-ref']));
if (bom.dependencies)
  bom.dependencies = bom.dependencies
    .filter((d) => !dropped.has(d.ref))
    .map((d) => ({ ...d, ...(d.dependsOn ? { dependsOn: d.dependsOn.filter((ref) => !dropped.has(ref)) } : {}) }));
mkdirSync(dirname(out), { recursive: true });
writeFileSync(`${out}.tmp`, `${JSON.stringify(bom, null, 2)}\n`);
renameSync(`${out}.tmp`, out);
console.log(out);
