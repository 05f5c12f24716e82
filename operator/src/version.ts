// The version of this build: package.json's `version`, read at run time so that the operator binary and
// the kubectl plugin report the same number (`kyc-operator --version`, `kubectl kyc version`). The file is
// found by walking up from this module: the repository root in development (operator/src or
// dist/operator/src) and /app in the image (the Dockerfile copies package.json beside dist/).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_NAME = 'kyc-operator';

/** package.json's version of the nearest `kyc-operator` package at or above `from`; `unknown` when none is found. */
export function packageVersion(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const found = versionIn(join(dir, 'package.json'));
    if (found) return found;
    if (dirname(dir) === dir) return 'unknown';
  }
}

function versionIn(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const manifest = JSON.parse(text) as { name?: unknown; version?: unknown };
  return manifest.name === PACKAGE_NAME && typeof manifest.version === 'string' ? manifest.version : undefined;
}
