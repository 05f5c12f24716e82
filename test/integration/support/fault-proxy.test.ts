// Real sockets on loopback: run with the integration suites (in band, forced exit) — in a jest worker its sockets kept the unit run from exiting.
// The fault proxy against a local echo server: each mode does to a client what the header says.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { FaultProxy, targetOf } from '../../support/fault-proxy.js';

let echo: net.Server;
let echoPort: number;
const open: net.Socket[] = [];
const echoed = new Set<net.Socket>();

beforeAll(async () => {
  echo = net.createServer((socket) => {
    echoed.add(socket);
    socket.on('error', () => undefined).on('close', () => echoed.delete(socket));
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoPort = (echo.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const socket of echoed) socket.destroy();
  await new Promise<void>((resolve) => echo.close(() => resolve()));
});

afterEach(() => {
  for (const socket of open.splice(0)) socket.destroy();
});

/** A client whose received bytes, end and error are recorded. */
async function connect(
  port: number,
): Promise<{ socket: net.Socket; received: () => string; ended: Promise<void>; failed: Promise<string> }> {
  const socket = net.connect(port, '127.0.0.1');
  open.push(socket);
  let data = '';
  socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
  const ended = new Promise<void>((resolve) => socket.once('end', resolve));
  const failed = new Promise<string>((resolve) =>
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message)),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => data, ended, failed };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('FaultProxy', () => {
  let proxy: FaultProxy;

  afterEach(async () => {
    await proxy.stop();
  });

  it('when passing, then bytes go to the target and back', async () => {
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: echoPort });
    const client = await connect(proxy.port);
    client.socket.write('ping');
    await until(() => client.received() === 'ping');
    expect(proxy.connections).toBe(1);
  });

  it('when frozen, then nothing moves, and on pass what was held arrives in order', async () => {
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: echoPort });
    const client = await connect(proxy.port);
    await proxy.freeze();
    client.socket.write('one,');
    client.socket.write('two');
    await sleep(150);
    expect(client.received()).toBe('');
    await proxy.pass();
    await until(() => client.received() === 'one,two');
  });

  it('when frozen, then a new connection is accepted and stalls until pass', async () => {
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: echoPort });
    await proxy.freeze();
    const client = await connect(proxy.port);
    client.socket.write('hello');
    await sleep(150);
    expect(client.received()).toBe('');
    await proxy.pass();
    await until(() => client.received() === 'hello');
  });

  it('when refusing, then new connections get ECONNREFUSED, open ones carry on, and pass listens again on the same port', async () => {
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: echoPort });
    const port = proxy.port;
    const before = await connect(port);
    await proxy.refuse();
    await expect(connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    before.socket.write('still');
    await until(() => before.received() === 'still');
    await proxy.pass();
    expect(proxy.port).toBe(port);
    const after = await connect(port);
    after.socket.write('back');
    await until(() => after.received() === 'back');
  });

  it('when connections are reset, then the client sees ECONNRESET', async () => {
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: echoPort });
    const client = await connect(proxy.port);
    proxy.resetConnections();
    await expect(client.failed).resolves.toBe('ECONNRESET');
    await until(() => proxy.connections === 0);
  });

  it('when connections are closed, then the client sees the end of the stream', async () => {
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: echoPort });
    const client = await connect(proxy.port);
    proxy.closeConnections();
    await expect(client.ended).resolves.toBeUndefined();
  });

  it('when the target refuses, then the client is reset', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: deadPort });
    const client = await connect(proxy.port);
    await expect(client.failed).resolves.toBe('ECONNRESET');
  });

  it('rewrites a URL to go through it', async () => {
    proxy = await FaultProxy.start(targetOf('postgres://kyc:pw@db.example:5433/kyc?sslmode=disable'));
    expect(proxy.targetPort).toBe(5433);
    expect(proxy.rewrite('postgres://kyc:pw@db.example:5433/kyc?sslmode=disable')).toBe(
      `postgres://kyc:pw@127.0.0.1:${proxy.port}/kyc?sslmode=disable`,
    );
    expect(targetOf('redis://localhost/0')).toEqual({ host: 'localhost', port: 6379 });
  });
});
