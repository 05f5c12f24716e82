// The web app's files (frontend/, built by Vite into dist/web), served by the frontend component; the
// gateway forwards `/` to it while the API stays at /api/v1 (docs/frontend.md, "How it runs"). Every file
// is read into memory once at start-up and a request is answered only by an exact match on a path that
// was found there, so no request path ever reaches the file system: no traversal, dot-segment or encoding
// trick can name a file outside the build (the edge, gateway/edge.ts, refuses those targets before express
// anyway, in the gateway and in front of this server). Caching is what a CDN in front needs: the hashed
// files under /assets/ never change (a year, immutable); index.html names them and is never stored, so a
// release is seen on the next load.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { RequestHandler } from 'express';

export interface WebFile {
  readonly body: Buffer;
  /** The body gzipped, for text files where it is smaller. */
  readonly gzip?: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

export interface WebRequest {
  method: string;
  path: string;
  accept?: string | undefined;
  secFetchMode?: string | undefined;
  acceptEncoding?: string | undefined;
  ifNoneMatch?: string | undefined;
}

export interface WebAnswer {
  status: 200 | 304;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

/** Where the image puts the build: dist/web beside dist/workloads (Dockerfile). From the sources there is none. */
export const DEFAULT_WEB_APP_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.svg', '.txt']);

/**
 * The policy of the app's page: scripts and styles from the gateway's own origin only (the build has no
 * inline script or style), API calls to the same origin, images also as blob:/data: (a document's
 * preview), never framed, no <base> and forms posting only here.
 */
export const WEB_APP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const NEVER_STORED = 'no-store';

/** The built app in `dir`, path → file; undefined when there is no build (index.html) there. */
export function loadWebApp(dir: string): Map<string, WebFile> | undefined {
  if (!existsSync(path.join(dir, 'index.html'))) return undefined;
  const files = new Map<string, WebFile>();
  const walk = (relative: string): void => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      // Dot-files (an editor's or a tool's) are never part of the app.
      if (entry.name.startsWith('.')) continue;
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) files.set(`/${child}`, webFile(child, readFileSync(path.join(dir, child))));
    }
  };
  walk('');
  return files;
}

export function webFile(name: string, body: Buffer): WebFile {
  const extension = path.extname(name).toLowerCase();
  const gzip = COMPRESSIBLE.has(extension) && body.length > 1024 ? gzipSync(body, { level: 9 }) : undefined;
  return {
    body,
    ...(gzip && gzip.length < body.length && { gzip }),
    contentType: TYPES[extension] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
  };
}

/** A browser loading a page (not a script, an image or an API client asking for JSON). */
function isNavigation(request: WebRequest): boolean {
  if (request.secFetchMode !== undefined) return request.secFetchMode === 'navigate';
  return (request.accept ?? '').includes('text/html');
}

/**
 * The answer to `request` from `files`, or undefined when it is not the app's to answer (the caller
 * answers 404): a method other than GET/HEAD, the API's paths, a path with no such file that is not a
 * page navigation. A navigation to an unknown path gets index.html (the app's own routes).
 */
export function answerWebRequest(files: ReadonlyMap<string, WebFile>, request: WebRequest): WebAnswer | undefined {
  if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
  const { path: requested } = request;
  if (requested === '/api' || requested.startsWith('/api/')) return undefined;
  let name = requested === '/' ? '/index.html' : requested;
  let file = files.get(name);
  if (!file) {
    // A file name (a dot in the last segment) that is not there is a 404 even for a browser: answering
    // a missing script with the page would hide the mistake.
    const last = requested.slice(requested.lastIndexOf('/') + 1);
    if (!isNavigation(request) || last.includes('.') || requested.startsWith('/assets/')) return undefined;
    name = '/index.html';
    file = files.get(name);
    if (!file) return undefined;
  }
  const page = name === '/index.html';
  const headers: Record<string, string> = {
    'Content-Type': file.contentType,
    'Cache-Control': name.startsWith('/assets/') ? IMMUTABLE : NEVER_STORED,
    ETag: file.etag,
    ...(page && { 'Content-Security-Policy': WEB_APP_CSP }),
  };
  if (file.gzip) headers.Vary = 'Accept-Encoding';
  if (!page && request.ifNoneMatch !== undefined && request.ifNoneMatch.split(/\s*,\s*/).includes(file.etag)) {
    return { status: 304, headers, body: undefined };
  }
  const gzip = file.gzip !== undefined && acceptsGzip(request.acceptEncoding);
  const body = gzip ? file.gzip : file.body;
  if (gzip) headers['Content-Encoding'] = 'gzip';
  headers['Content-Length'] = String(body?.length ?? 0);
  return { status: 200, headers, body: request.method === 'HEAD' ? undefined : body };
}

function acceptsGzip(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [coding, ...params] = part.trim().split(';');
    if (coding?.trim().toLowerCase() !== 'gzip') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** The express handler: answers what answerWebRequest answers, hands everything else on (to the 404). */
export function serveWebApp(files: ReadonlyMap<string, WebFile>): RequestHandler {
  return (req, res, next) => {
    const answer = answerWebRequest(files, {
      method: req.method,
      path: req.path,
      accept: req.headers.accept,
      secFetchMode: req.header('sec-fetch-mode'),
      acceptEncoding: req.header('accept-encoding'),
      ifNoneMatch: req.header('if-none-match'),
    });
    if (!answer) return next();
    res.status(answer.status);
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    res.end(answer.body);
  };
}
