import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UpstreamError, send } from './proxy.js';

describe('send (keep-alive agent)', () => {
  let server: http.Server;
  let base: string;
  const seenPorts: number[] = [];
  const seenBodies: string[] = [];
  const seenHeaders: http.IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seenPorts.push(req.socket.remotePort ?? 0);
      seenHeaders.push(req.headers);
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seenBodies.push(Buffer.concat(chunks).toString('utf8'));
        if (req.url === '/silent') return; // never answers
        res.setHeader('Set-Cookie', ['a=1', 'b=2']);
        res.setHeader('Content-Type', 'application/json');
        res.statusCode = req.url === '/fail' ? 500 : 200;
        res.end(JSON.stringify({ path: req.url, method: req.method }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('relays method, path, headers and body, and keeps the connection alive between requests', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await send(base, { method: 'POST', path: '/api/v1/x?q=1', headers: { 'x-request-id': 'r1', 'content-type': 'application/json' }, body: Buffer.from('{"a":1}') }, agent, 5000);
      const second = await send(base, { method: 'GET', path: '/api/v1/y', headers: { 'x-request-id': 'r2' } }, agent, 5000);
      expect(first.status).toBe(200);
      expect(JSON.parse(first.body.toString('utf8'))).toEqual({ path: '/api/v1/x?q=1', method: 'POST' });
      expect(first.headers['set-cookie']).toEqual(['a=1', 'b=2']);
      expect(first.headers['content-type']).toBe('application/json');
      expect(second.status).toBe(200);
      expect(seenBodies.slice(-2)).toEqual(['{"a":1}', '']);
      expect(seenHeaders.at(-2)?.['content-length']).toBe('7');
      expect(seenHeaders.at(-2)?.['x-request-id']).toBe('r1');
      const [a, b] = seenPorts.slice(-2);
      expect(a).toBe(b);
    } finally {
      agent.destroy();
    }
  });

  it('answers a 5xx as a response (the caller decides what it means)', async () => {
    const agent = new http.Agent({ keepAlive: true });
    try {
      const response = await send(base, { method: 'GET', path: '/fail', headers: {} }, agent, 5000);
      expect(response.status).toBe(500);
    } finally {
      agent.destroy();
    }
  });

  it('maps a refused connection to a connect failure (safe to retry elsewhere)', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const agent = new http.Agent({ keepAlive: true });
    try {
      const failure = await send(`http://127.0.0.1:${port}`, { method: 'GET', path: '/', headers: {} }, agent, 5000).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(UpstreamError);
      expect((failure as UpstreamError).kind).toBe('connect');
    } finally {
      agent.destroy();
    }
  });

  it('maps no answer within the limit to a timeout', async () => {
    const agent = new http.Agent({ keepAlive: true });
    try {
      const failure = await send(base, { method: 'GET', path: '/silent', headers: {} }, agent, 300).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(UpstreamError);
      expect((failure as UpstreamError).kind).toBe('timeout');
    } finally {
      agent.destroy();
    }
  });
});
