// The web app's files as the frontend serves them: what is answered, with which caching, and that no
// request path reaches a file that was not in the build — over raw sockets through the edge's guarded
// server (a client library would normalise the dot-segments this is about).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { guardedServer } from '../gateway/edge.js';
import { IMMUTABLE, NEVER_STORED, WEB_APP_CSP, answerWebRequest, loadWebApp, serveWebApp } from './web-app.js';
import type { WebFile } from './web-app.js';

const INDEX = '<!doctype html><script type="module" src="/assets/index-AbC123.js"></script>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(4000))});`;

let dir: string;
let outside: string;
let files: Map<string, WebFile>;

beforeAll(() => {
  const root = mkdtempSync(path.join(tmpdir(), 'web-app-'));
  dir = path.join(root, 'web');
  outside = path.join(root, 'secret.txt');
  mkdirSync(path.join(dir, 'assets'), { recursive: true });
  writeFileSync(path.join(dir, 'index.html'), INDEX);
  writeFileSync(path.join(dir, 'assets', 'index-AbC123.js'), SCRIPT);
  writeFileSync(path.join(dir, 'assets', 'index-Def456.css'), 'body{margin:0}');
  writeFileSync(path.join(dir, '.env'), 'TOKEN=secret');
  writeFileSync(outside, 'not part of the app');
  symlinkSync(outside, path.join(dir, 'assets', 'link.txt'));
  files = loadWebApp(dir) ?? new Map<string, WebFile>();
});

afterAll(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

const get = (requestPath: string, extra: Partial<Parameters<typeof answerWebRequest>[1]> = {}) =>
  answerWebRequest(files, { method: 'GET', path: requestPath, ...extra });

describe('loading the build', () => {
  it('takes the regular files of the build only: no dot-files, no symbolic link out of it', () => {
    expect([...files.keys()].sort()).toEqual(['/assets/index-AbC123.js', '/assets/index-Def456.css', '/index.html']);
  });

  it('when the directory has no index.html (the sources, no build), then there is no app', () => {
    expect(loadWebApp(path.join(dir, 'assets'))).toBeUndefined();
    expect(loadWebApp(path.join(dir, 'missing'))).toBeUndefined();
  });
});

describe('answering a request', () => {
  it('serves the page at / never stored, with the strict policy (no inline script)', () => {
    const answer = get('/');
    expect(answer?.status).toBe(200);
    expect(answer?.headers).toMatchObject({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': NEVER_STORED });
    expect(answer?.headers['Content-Security-Policy']).toBe(WEB_APP_CSP);
    expect(WEB_APP_CSP).toContain("script-src 'self'");
    expect(WEB_APP_CSP).not.toContain('unsafe-inline');
    expect(answer?.body?.toString()).toBe(INDEX);
  });

  it('serves a hashed file for a year, immutable, and 304 when the browser has it', () => {
    const answer = get('/assets/index-Def456.css');
    expect(answer?.headers).toMatchObject({ 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': IMMUTABLE });
    const again = get('/assets/index-Def456.css', { ifNoneMatch: answer?.headers.ETag });
    expect([again?.status, again?.body]).toEqual([304, undefined]);
  });

  it('gzips a large text file for a client that accepts it, and says it varies', () => {
    const answer = get('/assets/index-AbC123.js', { acceptEncoding: 'br, gzip;q=0.8' });
    expect(answer?.headers).toMatchObject({ 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' });
    expect(gunzipSync(answer?.body ?? Buffer.alloc(0)).toString()).toBe(SCRIPT);
    expect(get('/assets/index-AbC123.js', { acceptEncoding: 'gzip;q=0' })?.headers['Content-Encoding']).toBeUndefined();
    expect(get('/assets/index-AbC123.js')?.body?.toString()).toBe(SCRIPT);
  });

  it('answers HEAD with the headers and no body', () => {
    const answer = answerWebRequest(files, { method: 'HEAD', path: '/' });
    expect([answer?.status, answer?.body, answer?.headers['Content-Length']]).toEqual([200, undefined, String(INDEX.length)]);
  });

  it('gives the page to a browser navigating to one of the app’s own paths, and nothing else to anything else', () => {
    expect(get('/status', { secFetchMode: 'navigate' })?.body?.toString()).toBe(INDEX);
    expect(get('/status', { accept: 'text/html,application/xhtml+xml' })?.body?.toString()).toBe(INDEX);
    // A script, an image, fetch(): not a navigation.
    expect(get('/status', { secFetchMode: 'cors', accept: 'text/html' })).toBeUndefined();
    expect(get('/status', { accept: 'application/json' })).toBeUndefined();
    // A missing file is a 404 even for a browser.
    expect(get('/assets/index-Old999.js', { secFetchMode: 'navigate' })).toBeUndefined();
    expect(get('/favicon.ico', { secFetchMode: 'navigate' })).toBeUndefined();
  });

  it('leaves the API’s paths, writes and anything not in the build to the 404', () => {
    for (const requestPath of ['/api', '/api/v1', '/api/v2/anything', '/api/v1/applications']) {
      expect(get(requestPath, { secFetchMode: 'navigate' })).toBeUndefined();
    }
    expect(answerWebRequest(files, { method: 'POST', path: '/' })).toBeUndefined();
    expect(answerWebRequest(files, { method: 'DELETE', path: '/assets/index-AbC123.js' })).toBeUndefined();
    for (const requestPath of [
      '/.env',
      '/assets/link.txt',
      '/assets/../index.html',
      '/assets/%2e%2e/index.html',
      '/index.html/',
      '//index.html',
    ]) {
      expect(get(requestPath)).toBeUndefined();
    }
  });
});

/** Sends `head` as it is over a socket and reads the whole answer. */
function raw(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(`${head}\r\nHost: app.test\r\nConnection: close\r\n\r\n`));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('through the guarded server (the gateway’s edge, which the frontend runs too)', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    const app = express();
    app.use(serveWebApp(files));
    app.use((_req, res) => res.status(404).send('not found'));
    server = guardedServer(app, { responseHeaders: {}, onRefused: () => undefined });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it.each([
    ['/../secret.txt', 400],
    ['/assets/../../secret.txt', 400],
    ['/assets/%2e%2e/%2e%2e/secret.txt', 400],
    ['/assets/..%2f..%2fsecret.txt', 400],
    ['/assets\\..\\secret.txt', 400],
    ['/assets/link.txt', 404],
    ['/.env', 404],
    ['/secret.txt', 404],
  ])('GET %s answers %i and never the file outside the build', async (target, status) => {
    const answer = await raw(port, `GET ${target} HTTP/1.1\r\nAccept: text/html`);
    expect(answer.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
    expect(answer).not.toContain('not part of the app');
    expect(answer).not.toContain('TOKEN=secret');
  });

  it('serves the page and the hashed files over HTTP', async () => {
    const page = await raw(port, 'GET / HTTP/1.1');
    expect(page).toMatch(/^HTTP\/1.1 200 /);
    expect(page).toContain('Cache-Control: no-store');
    expect(page.endsWith(INDEX)).toBe(true);
    expect(await raw(port, 'GET /assets/index-Def456.css HTTP/1.1')).toContain(`Cache-Control: ${IMMUTABLE}`);
  });
});
