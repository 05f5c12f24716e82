// The API reference customers read, at GET /api/v1/docs: Redoc's standalone bundle rendering the
// OpenAPI document the gateway serves (/api/v1/openapi.json). Everything comes from the gateway itself
// — the page, the bundle (from the image: the Dockerfile copies it beside this module; in a source
// tree, from the redoc package) and a small script that starts it — so nothing is fetched from a CDN
// and the page's Content-Security-Policy allows same-origin scripts only, never inline ones
// (docs/customer-api.md, "The reference"). Public, like the document: no token is needed.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Router } from 'express';
import type { Request, Response } from 'express';

export const REFERENCE_PATH = '/api/v1/docs';
const BUNDLE_PATH = `${REFERENCE_PATH}/redoc.standalone.js`;
const INIT_PATH = `${REFERENCE_PATH}/init.js`;
const DOCUMENT_PATH = '/api/v1/openapi.json';

/**
 * What the reference page may load; everything else stays refused as on every other answer.
 * - script-src 'self': the bundle and init.js, both served here; no inline script, no eval.
 * - style-src 'unsafe-inline': Redoc styles its components with styled-components, which writes <style>
 *   elements at run time; the bundle offers no nonce for them. Styles cannot run code.
 * - connect-src 'self': the page fetches the OpenAPI document from the gateway.
 * - worker-src blob:: Redoc's search index runs in a worker that the bundle builds from a blob URL.
 * - img-src data:: the icons the bundle inlines. The bundle's "API docs by Redocly" footer also asks
 *   for a logo from Redocly's CDN: refused here (one CSP report in the browser console), the footer then
 *   shows its text alone.
 */
export const REFERENCE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  'worker-src blob:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>KYC platform API reference</title>
</head>
<body>
<noscript>The API reference needs JavaScript. The OpenAPI document itself is at <a href="${DOCUMENT_PATH}">${DOCUMENT_PATH}</a>.</noscript>
<div id="reference"></div>
<script src="${BUNDLE_PATH}"></script>
<script src="${INIT_PATH}"></script>
</body>
</html>
`;

const INIT = `// Starts Redoc on the gateway's OpenAPI document (workloads/gateway/reference.ts).
Redoc.init(${JSON.stringify(DOCUMENT_PATH)}, { expandResponses: '200,201,202', jsonSampleExpandLevel: 3, hideHostname: true }, document.getElementById('reference'));
`;

/** Where the bundle is: beside this module in the image (the Dockerfile copies it), else the redoc package. */
export function findReferenceBundle(): string | null {
  const beside = fileURLToPath(new URL('./reference/redoc.standalone.js', import.meta.url));
  if (existsSync(beside)) return beside;
  try {
    return createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');
  } catch {
    return null;
  }
}

interface Asset {
  body: Buffer;
  gzipped: Buffer;
}

function asset(text: string | Buffer): Asset {
  const body = Buffer.isBuffer(text) ? text : Buffer.from(text);
  return { body, gzipped: gzipSync(body) };
}

/** Sends `content`, gzipped when the client takes gzip (the bundle is 1.1 MB, a third of that gzipped). */
function send(req: Request, res: Response, type: string, content: Asset): void {
  res.type(type);
  res.setHeader('Vary', 'Accept-Encoding');
  if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
    res.setHeader('Content-Encoding', 'gzip');
    res.send(content.gzipped);
  } else res.send(content.body);
}

/**
 * The three routes of the reference. `bundleFile` is read once, on the first request; without one (a
 * tree where the redoc package is not installed) the page is still served and says where the document is.
 */
export function referenceRoutes(bundleFile: string | null = findReferenceBundle()): Router {
  const router = Router();
  const page = asset(PAGE);
  const init = asset(INIT);
  let bundle: Asset | undefined;
  router.get(REFERENCE_PATH, (req, res) => {
    res.setHeader('Content-Security-Policy', REFERENCE_CSP);
    send(req, res, 'text/html; charset=utf-8', page);
  });
  router.get(INIT_PATH, (req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=3600');
    send(req, res, 'text/javascript; charset=utf-8', init);
  });
  router.get(BUNDLE_PATH, (req, res, next) => {
    if (bundleFile === null) return next();
    bundle ??= asset(readFileSync(bundleFile));
    // The bundle changes only with the image; an hour keeps a reader's reloads cheap.
    res.setHeader('Cache-Control', 'public, max-age=3600');
    send(req, res, 'text/javascript; charset=utf-8', bundle);
  });
  return router;
}
