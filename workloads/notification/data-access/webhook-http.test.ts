// The webhook transport against a local HTTP server: what it sends, and the destinations it refuses
// after resolution.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AllowedNetworks } from '../domain/webhook-url.js';
import { HttpWebhookTransport } from './webhook-http.js';

describe('HttpWebhookTransport', () => {
  const received: Array<{ headers: Record<string, unknown>; body: string }> = [];
  let server: Server;
  let port: number;
  const loopbackAllowed = new HttpWebhookTransport({ timeoutMs: 5000, allowed: new AllowedNetworks(['127.0.0.0/8', '::1/128']) });
  const strict = new HttpWebhookTransport({ timeoutMs: 5000, allowed: new AllowedNetworks() });

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, body: raw });
        res.writeHead(req.url === '/fail' ? 500 : 204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('when the receiver is reachable and allowed, then the body and headers arrive and its status is returned', async () => {
    const status = await loopbackAllowed.post(`http://127.0.0.1:${port}/hook`, { 'webhook-id': 'd-1' }, '{"a":1}');
    expect(status).toBe(204);
    expect(received.at(-1)).toEqual({ headers: expect.objectContaining({ 'webhook-id': 'd-1', 'content-length': '7' }), body: '{"a":1}' });
    expect(await loopbackAllowed.post(`http://127.0.0.1:${port}/fail`, {}, '{}')).toBe(500);
  });

  it('when the URL is a loopback literal and no network is allowed, then nothing is sent', async () => {
    const before = received.length;
    await expect(strict.post(`http://127.0.0.1:${port}/hook`, {}, '{}')).rejects.toThrow('private, loopback');
    expect(received).toHaveLength(before);
  });

  it('when a name resolves to a loopback address at delivery time, then nothing is sent', async () => {
    const before = received.length;
    await expect(strict.post(`http://localhost:${port}/hook`, {}, '{}')).rejects.toThrow(/localhost resolved to .* private, loopback/);
    expect(received).toHaveLength(before);
  });

  it('when nothing listens, then the post rejects', async () => {
    await expect(loopbackAllowed.post('http://127.0.0.1:1/hook', {}, '{}')).rejects.toThrow('ECONNREFUSED');
  });
});
