// The guarded server over raw sockets (a client library would normalise the targets): the app sees
// only origin-form targets, and everything else is answered 400 problem+json by the server itself.
import type { Server } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { guardedServer } from './edge.js';

/** Sends `head` as it is and reads the whole answer (the server closes after a refusal). */
function raw(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(`${head}\r\nConnection: close\r\n\r\n`));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('guardedServer', () => {
  const seen: string[] = [];
  const refused: string[] = [];
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = guardedServer(
      (req, res) => {
        seen.push(req.url ?? '');
        res.end('ok');
      },
      { responseHeaders: { 'X-KYC-Version': '1.2.3' }, onRefused: (method, reason) => refused.push(`${method} ${reason}`) },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('hands an origin-form target to the app', async () => {
    expect(await raw(port, 'GET /api/v1/applications?limit=5 HTTP/1.1\r\nHost: gateway')).toMatch(/^HTTP\/1\.1 200 [\s\S]*\r\n\r\nok$/);
    expect(seen).toContain('/api/v1/applications?limit=5');
  });

  it.each([
    ['an absolute-form target', 'GET http://kyc-dev-kyc:8080/metrics HTTP/1.1', /absolute-form/],
    ['a dot-segment', 'GET /api/v1/../metrics HTTP/1.1', /dot-segment/],
    ['an asterisk-form target', 'OPTIONS * HTTP/1.1', /asterisk-form/],
  ])('refuses %s with 400 problem+json before the app sees it', async (_name, line, reason) => {
    const before = seen.length;
    const answer = await raw(port, `${line}\r\nHost: gateway`);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(answer).toMatch(/x-kyc-version: 1\.2\.3/i);
    expect((JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { detail: string }).detail).toMatch(reason);
    expect(seen.length).toBe(before);
    expect(refused.at(-1)).toMatch(reason);
  });

  it('answers CONNECT with 400 problem+json instead of dropping the connection', async () => {
    const answer = await raw(port, 'CONNECT internal.example:443 HTTP/1.1\r\nHost: internal.example:443');
    expect(answer).toMatch(/^HTTP\/1\.1 400 [\s\S]*not a forward proxy/);
    expect(refused.at(-1)).toMatch(/^CONNECT an authority-form/);
  });
});
