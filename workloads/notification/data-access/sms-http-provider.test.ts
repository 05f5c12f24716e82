// The HTTP SMS adapter against a small local HTTP server that records what it receives.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NoRecipientError } from '../domain/providers.js';
import type { OutgoingMessage } from '../domain/providers.js';
import { HttpSmsProvider } from './sms-http-provider.js';

interface Received {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

describe('HttpSmsProvider', () => {
  const received: Received[] = [];
  let answer = { status: 202, body: '{"id":"gw-1"}' };
  let server: Server;
  let url: string;
  const contacts = { addressOf: (userId: string) => Promise.resolve(userId === 'u-1' ? '+919812345678' : undefined) };
  const message: OutgoingMessage = {
    id: '6f1c0e7a-1d6f-4c55-9b0c-3b1f2f0c9a11',
    channel: 'sms',
    userId: 'u-1',
    template: 'application_approved',
    variables: { applicationId: 'app-1' },
    subject: 'Your KYC application is approved',
    body: 'KYC: your KYC application app-1 is approved.',
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: JSON.parse(raw) as unknown });
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/messages`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts the number, the text and the notification id as reference and idempotency key, with the bearer token', async () => {
    const provider = new HttpSmsProvider({ url, token: 'sms-token', timeoutMs: 2000 }, contacts);
    expect(await provider.send(message)).toEqual({ providerMessageId: 'gw-1' });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      method: 'POST',
      url: '/v1/messages',
      headers: { authorization: 'Bearer sms-token', 'content-type': 'application/json', 'idempotency-key': message.id },
      body: { to: '+919812345678', text: message.body, reference: message.id },
    });
  });

  it('when the gateway answers an error, then the error names the status and not the number', async () => {
    answer = { status: 503, body: '{"error":"rejected +919812345678"}' };
    const provider = new HttpSmsProvider({ url, token: 'sms-token', timeoutMs: 2000 }, contacts);
    const failure = provider.send(message);
    await expect(failure).rejects.toThrow('SMS gateway answered 503');
    await expect(failure).rejects.not.toThrow(/9812/);
    answer = { status: 202, body: '{}' };
  });

  it('when the recipient has no number, then nothing is posted', async () => {
    const before = received.length;
    const provider = new HttpSmsProvider({ url, token: 'sms-token', timeoutMs: 2000 }, contacts);
    await expect(provider.send({ ...message, userId: 'u-2' })).rejects.toThrow(NoRecipientError);
    expect(received).toHaveLength(before);
  });

  it('when the gateway is unreachable, then the error says so', async () => {
    // A port that was just free: nothing listens there.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const provider = new HttpSmsProvider({ url: `http://127.0.0.1:${port}/v1/messages`, token: 't', timeoutMs: 2000 }, contacts);
    await expect(provider.send(message)).rejects.toThrow('SMS gateway ECONNREFUSED');
  });
});
