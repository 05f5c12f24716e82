// The API reference behind the gateway's edge, as main.ts composes it: the guarded server, the shared
// security headers, then the reference routes. Attacks go over raw sockets (fetch would normalise them).
import type { Server } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { securityHeaders } from '../shared/index.js';
import { guardedServer } from './edge.js';
import { REFERENCE_CSP, REFERENCE_PATH, findReferenceBundle, referenceRoutes } from './reference.js';

function raw(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(`${head}\r\nHost: gateway\r\nConnection: close\r\n\r\n`));
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

const statusOf = (answer: string): number => Number(answer.slice(9, 12));

describe('the API reference at /api/v1/docs', () => {
  const reached: string[] = [];
  let server: Server;
  let base: string;
  let port: number;

  beforeAll(async () => {
    const app = express();
    app.use(securityHeaders);
    app.use((req, _res, next) => {
      reached.push(req.url);
      next();
    });
    app.use(referenceRoutes());
    app.use((_req, res) => res.status(404).end());
    server = guardedServer(app, { responseHeaders: {}, onRefused: () => undefined });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('the redoc bundle is found in this tree (the image carries it beside the module)', () => {
    expect(findReferenceBundle()).toMatch(/redoc\.standalone\.js$/);
  });

  it('the page is HTML that loads the bundle and the init script from the gateway, with no inline script', async () => {
    const res = await fetch(`${base}${REFERENCE_PATH}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map(([, attributes]) => attributes)).toEqual([' src="/api/v1/docs/redoc.standalone.js"', ' src="/api/v1/docs/init.js"']);
    expect(scripts.map(([, , body]) => body)).toEqual(['', '']);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/ on[a-z]+=/);
  });

  it('the page carries a CSP that allows same-origin scripts only and keeps the other security headers', async () => {
    const res = await fetch(`${base}${REFERENCE_PATH}`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(REFERENCE_CSP);
    const directives = new Map(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)] as const));
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp).not.toMatch(/unsafe-eval|\*|https?:/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('the init script starts Redoc on the gateway’s own OpenAPI document', async () => {
    const res = await fetch(`${base}${REFERENCE_PATH}/init.js`);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await res.text()).toMatch(/^Redoc\.init\("\/api\/v1\/openapi\.json", /m);
  });

  it('the bundle is served gzipped to clients that take gzip, whole to the others', async () => {
    const zipped = await raw(port, `GET ${REFERENCE_PATH}/redoc.standalone.js HTTP/1.1\r\nAccept-Encoding: gzip`);
    expect(statusOf(zipped)).toBe(200);
    expect(zipped).toMatch(/\r\ncontent-encoding: gzip\r\n/i);
    const body = Buffer.from(zipped.slice(zipped.indexOf('\r\n\r\n') + 4), 'latin1');
    expect(gunzipSync(body).toString('utf8')).toContain('Redoc');
    const plain = await raw(port, `GET ${REFERENCE_PATH}/redoc.standalone.js HTTP/1.1`);
    expect(plain).not.toMatch(/content-encoding/i);
    expect(plain).toMatch(/\r\ncache-control: public, max-age=3600\r\n/i);
  });

  it.each([
    ['a dot-segment out of the reference', `${REFERENCE_PATH}/../openapi.json`],
    ['dot-segments toward a file of the image', `${REFERENCE_PATH}/../../../../etc/passwd`],
    ['an encoded dot-segment', `${REFERENCE_PATH}/%2e%2e/%2e%2e/package.json`],
    ['an encoded slash', `${REFERENCE_PATH}%2f..%2fpackage.json`],
    ['an empty segment', `${REFERENCE_PATH}//redoc.standalone.js`],
    ['a trailing slash', `${REFERENCE_PATH}/`],
    ['a backslash', `${REFERENCE_PATH}\\..\\package.json`],
    ['an absolute-form target', `http://evil.example${REFERENCE_PATH}`],
  ])('%s is refused 400 by the edge before any route sees it', async (_name, target) => {
    const before = reached.length;
    const answer = await raw(port, `GET ${target} HTTP/1.1`);
    expect(statusOf(answer)).toBe(400);
    expect(answer).toMatch(/application\/problem\+json/);
    expect(reached.length).toBe(before);
  });

  it('serves nothing else under the reference path: no directory listing, no file of the package', async () => {
    for (const path of [`${REFERENCE_PATH}/index.html`, `${REFERENCE_PATH}/package.json`, `${REFERENCE_PATH}/redoc.standalone.js.map`]) {
      expect([path, (await fetch(`${base}${path}`)).status]).toEqual([path, 404]);
    }
  });

  it('without a bundle the page is still served and the bundle path is not answered', async () => {
    const app = express().use(referenceRoutes(null));
    const alone = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => alone.once('listening', resolve));
    const url = `http://127.0.0.1:${(alone.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${url}${REFERENCE_PATH}`)).status).toBe(200);
      expect((await fetch(`${url}${REFERENCE_PATH}/redoc.standalone.js`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => alone.close(resolve));
    }
  });
});
