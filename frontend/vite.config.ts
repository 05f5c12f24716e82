// The web app's build (docs/frontend.md): hashed file names under /assets/ (the gateway caches them
// for a year, immutable), the entry index.html never cached, no inline script (the gateway's
// Content-Security-Policy allows scripts from 'self' only). The output lands in dist/web, which the
// image copies beside the compiled services and the gateway serves at /.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    // Inlined assets would become data: URLs; the policy allows images from 'self' and data: only.
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
    // The module-preload polyfill is an inline-free part of the entry chunk; keep it off anyway: every
    // browser the app supports (docs/frontend.md) has modulepreload.
    modulePreload: { polyfill: false },
  },
  oxc: { jsx: { runtime: 'automatic' } },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
