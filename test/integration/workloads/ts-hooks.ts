// Module hooks that let a child process run the TypeScript sources directly, for component tests that
// kill and restart a real service process: `./x.js` resolves to `./x.ts` when only the .ts exists, and
// .ts files are compiled with @swc/core, the compiler jest uses here. This file itself only uses
// erasable type syntax, so Node loads it as it is (built-in type stripping).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import swc from '@swc/core';

interface ResolveContext {
  parentURL?: string | undefined;
}
interface Resolved {
  url: string;
  format?: string | null | undefined;
  shortCircuit?: boolean;
}
interface Loaded {
  format: string;
  source?: string | ArrayBuffer | Uint8Array | null | undefined;
  shortCircuit?: boolean;
}

export async function resolve(
  specifier: string,
  context: ResolveContext,
  nextResolve: (specifier: string, context: ResolveContext) => Promise<Resolved>,
): Promise<Resolved> {
  if ((specifier.startsWith('.') || specifier.startsWith('file:')) && specifier.endsWith('.js') && context.parentURL?.startsWith('file:')) {
    const url = new URL(specifier, context.parentURL);
    if (!existsSync(fileURLToPath(url))) {
      const ts = new URL(url.href.replace(/\.js$/, '.ts'));
      if (existsSync(fileURLToPath(ts))) return { url: ts.href, shortCircuit: true, format: 'module' };
    }
  }
  return nextResolve(specifier, context);
}

export async function load(
  url: string,
  context: { format?: string | null | undefined },
  nextLoad: (url: string, context: { format?: string }) => Promise<Loaded>,
): Promise<Loaded> {
  if (!url.endsWith('.ts')) return nextLoad(url, context.format ? { format: context.format } : {});
  const { source } = await nextLoad(url, { format: 'module' });
  const text = typeof source === 'string' ? source : Buffer.from(source as Uint8Array).toString('utf8');
  const { code } = swc.transformSync(text, {
    filename: fileURLToPath(url),
    jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  });
  return { format: 'module', source: code, shortCircuit: true };
}
