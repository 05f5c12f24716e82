import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UpstreamError, assertConnectedTo, assertOriginFormPath, originOf, send } from './proxy.js';
import type { Origin } from './proxy.js';

/** What the big answers would send in all: far more than any kernel's socket buffers hold. */
const BIG_BYTES = 64 * 1024 * 1024;

describe('send (keep-alive agent)', () => {
  let server: http.Server;
  let base: Origin;
  const seenPorts: number[] = [];
  const seenBodies: string[] = [];
  const seenHeaders: http.IncomingHttpHeaders[] = [];
  let bigBytesSent = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seenPorts.push(req.socket.remotePort ?? 0);
      seenHeaders.push(req.headers);
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seenBodies.push(Buffer.concat(chunks).toString('utf8'));
        if (req.url === '/silent') return; // never answers
        if (req.url?.startsWith('/big')) {
          // 64 KiB chunks until the client goes away (or BIG_BYTES, whichever comes first).
          res.writeHead(200, req.url === '/big-declared' ? { 'content-length': String(BIG_BYTES) } : {});
          const chunk = Buffer.alloc(64 * 1024, 'x');
          let sent = 0;
          const pump = (): void => {
            while (sent < BIG_BYTES && !res.destroyed) {
              sent += chunk.length;
              bigBytesSent = sent;
              if (!res.write(chunk)) return void res.once('drain', pump);
            }
            res.end();
          };
          pump();
          return;
        }
        res.setHeader('Set-Cookie', ['a=1', 'b=2']);
        res.setHeader('Content-Type', 'application/json');
        res.statusCode = req.url === '/fail' ? 500 : 200;
        res.end(JSON.stringify({ path: req.url, method: req.method }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = originOf(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('relays method, path, headers and body, and keeps the connection alive between requests', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await send(
        base,
        {
          method: 'POST',
          path: '/api/v1/x?q=1',
          headers: { 'x-request-id': 'r1', 'content-type': 'application/json' },
          body: Buffer.from('{"a":1}'),
        },
        agent,
        5000,
      );
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
      const failure = await send(originOf(`http://127.0.0.1:${port}`), { method: 'GET', path: '/', headers: {} }, agent, 5000).catch(
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(UpstreamError);
      expect((failure as UpstreamError).kind).toBe('connect');
    } finally {
      agent.destroy();
    }
  });

  it('maps a connection that does not open within the connect timeout to a connect failure (a pod gone without a refusal)', async () => {
    // An agent whose sockets never connect: what a SYN to an address nobody answers looks like.
    const agent = new http.Agent({ keepAlive: true });
    (agent as unknown as { createConnection: () => net.Socket }).createConnection = () => {
      const socket = new net.Socket();
      // Connecting for ever: writes wait for a 'connect' that never comes.
      (socket as { connecting: boolean }).connecting = true;
      return socket;
    };
    try {
      const started = Date.now();
      const failure = await send(base, { method: 'GET', path: '/', headers: {} }, agent, 5000, Number.POSITIVE_INFINITY, 200).catch(
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(UpstreamError);
      expect((failure as UpstreamError).kind).toBe('connect');
      expect(Date.now() - started).toBeLessThan(2000);
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

  it('cuts off an answer larger than the limit: too-large, and the socket is closed long before the upstream has sent it all', async () => {
    const agent = new http.Agent({ keepAlive: true });
    try {
      const failure = await send(base, { method: 'GET', path: '/big', headers: {} }, agent, 5000, 256 * 1024).catch(
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(UpstreamError);
      expect((failure as UpstreamError).kind).toBe('too-large');
      await new Promise((resolve) => setTimeout(resolve, 200));
      // What the upstream got out before the socket closed is what the kernel buffers on both sides took
      // (4 MiB and more on loopback, by its settings): a small part of the whole, never all of it.
      expect(bigBytesSent).toBeLessThan(BIG_BYTES / 4);
      const declared = await send(base, { method: 'GET', path: '/big-declared', headers: {} }, agent, 5000, 256 * 1024).catch(
        (error: unknown) => error,
      );
      expect((declared as UpstreamError).kind).toBe('too-large');
    } finally {
      agent.destroy();
    }
  });

  it('sends only origin-form paths: an absolute or scheme-relative path never picks the host', async () => {
    const agent = new http.Agent({ keepAlive: true });
    try {
      for (const path of ['http://evil.example:1234/api/v1/auth/login', '//evil.example/api/v1/x', 'evil.example:80', '/a\\b']) {
        await expect(send(base, { method: 'GET', path, headers: {} }, agent, 5000)).rejects.toThrow(/not an origin-form path/);
      }
      expect(() => assertOriginFormPath('/api/v1/applications/1?x=http://evil')).not.toThrow();
    } finally {
      agent.destroy();
    }
  });
});

describe('originOf and assertConnectedTo', () => {
  it('takes host and port from the instance URL only, and whether it speaks TLS', () => {
    expect(originOf('http://10.0.0.7:8080')).toEqual({ hostname: '10.0.0.7', port: 8080 });
    expect(originOf('http://kyc-dev-kyc')).toEqual({ hostname: 'kyc-dev-kyc', port: 80 });
    expect(originOf('http://[fd00::7]:8080')).toEqual({ hostname: 'fd00::7', port: 8080 });
    expect(originOf('https://10.0.0.7:8080')).toEqual({ hostname: '10.0.0.7', port: 8080, tls: {} });
    expect(originOf('https://kyc')).toEqual({ hostname: 'kyc', port: 443, tls: {} });
    expect(() => originOf('ftp://kyc:8443')).toThrow(/not an http or https URL/);
  });

  it('throws unless the socket leads to the instance', () => {
    expect(() => assertConnectedTo({ remoteAddress: '10.0.0.7', remotePort: 8080 }, { hostname: '10.0.0.7', port: 8080 })).not.toThrow();
    expect(() =>
      assertConnectedTo({ remoteAddress: '::ffff:10.0.0.7', remotePort: 8080 }, { hostname: '10.0.0.7', port: 8080 }),
    ).not.toThrow();
    expect(() => assertConnectedTo({ remoteAddress: '10.0.0.8', remotePort: 8080 }, { hostname: '10.0.0.7', port: 8080 })).toThrow(
      /not to the instance/,
    );
    expect(() => assertConnectedTo({ remoteAddress: '10.0.0.7', remotePort: 1234 }, { hostname: '10.0.0.7', port: 8080 })).toThrow(
      /not to the instance/,
    );
    // A DNS name resolves to addresses only the resolver knows; the port is still checked.
    expect(() =>
      assertConnectedTo({ remoteAddress: '10.96.0.12', remotePort: 8080 }, { hostname: 'kyc-dev-kyc', port: 8080 }),
    ).not.toThrow();
    expect(() => assertConnectedTo({ remoteAddress: '10.96.0.12', remotePort: 1234 }, { hostname: 'kyc-dev-kyc', port: 8080 })).toThrow(
      /not to the instance/,
    );
  });
});
