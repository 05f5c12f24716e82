// The gateway's upstreams over TLS (docs/workloads.md, "TLS between the components"): two "pods" of
// kyc on 127.0.0.1 and .2 serving HTTPS, found through a name a fake resolver answers, as the headless
// Service's A records. The gateway connects to the addresses and checks the certificate against the
// name; the trust is the platform's bundle as it is when a connection is made.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { serverOptionsOf } from '../shared/tls.js';
import type { TlsMaterial } from '../shared/tls.js';
import { issueTls, testCa } from '../shared/testing/tls-files.js';
import type { TestCa } from '../shared/testing/tls-files.js';
import { UpstreamError } from './proxy.js';
import { Upstream } from './upstream.js';

const ADDRESSES = ['127.0.0.1', '127.0.0.2'];
const NAME = 'p-kyc-pods';
const breaker = { timeoutMs: 2000, errorThresholdPercentage: 50, resetTimeoutMs: 30_000, volumeThreshold: 1000, rollingWindowMs: 10_000 };

interface Seen {
  address: string;
  servername: string | false | null;
  protocol: string | null;
  remotePort: number;
}

describe('Upstream over TLS', () => {
  let ca: TestCa;
  const servers = new Map<string, https.Server>();
  const seen: Seen[] = [];
  let port = 0;
  let bundle = '';
  const upstreams: Upstream[] = [];

  function serveWith(material: TlsMaterial): void {
    for (const server of servers.values()) server.setSecureContext(serverOptionsOf(material));
  }

  beforeAll(async () => {
    ca = testCa();
    bundle = ca.cert;
    const material = issueTls(ca, [NAME, `${NAME}.ns.svc`]);
    for (const address of ADDRESSES) {
      const server = https.createServer(serverOptionsOf(material), (req, res) => {
        const socket = req.socket as TLSSocket;
        seen.push({ address, servername: socket.servername, protocol: socket.getProtocol(), remotePort: socket.remotePort ?? 0 });
        res.end(address);
      });
      await new Promise<void>((done) => server.listen(port, address, done));
      port = (server.address() as AddressInfo).port;
      servers.set(address, server);
    }
  });

  afterEach(() => {
    for (const upstream of upstreams.splice(0)) upstream.close();
    seen.length = 0;
    bundle = ca.cert;
  });

  afterAll(async () => {
    for (const server of servers.values()) {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });

  function upstream(target = `https://${NAME}:${port}`): Upstream {
    const made = new Upstream('kyc', [{ url: target }], {
      strategy: 'round-robin',
      sticky: false,
      breaker,
      resolve: () => Promise.resolve(ADDRESSES),
      discoveryIntervalMs: 60_000,
      trust: { ca: () => bundle },
    });
    upstreams.push(made);
    return made;
  }

  const get = (target: Upstream) => target.forward({ method: 'GET', path: '/', headers: {} }, { clientIp: '10.0.0.1' });

  it('connects to the pods’ addresses over TLS 1.3, sends and checks the upstream’s name, and keeps the connections alive', async () => {
    const kyc = upstream();
    for (let i = 0; i < 6; i += 1) expect((await get(kyc)).response.status).toBe(200);
    expect(new Set(seen.map((s) => s.address))).toEqual(new Set(ADDRESSES));
    expect(new Set(seen.map((s) => s.servername))).toEqual(new Set([NAME]));
    expect(new Set(seen.map((s) => s.protocol))).toEqual(new Set(['TLSv1.3']));
    // Six requests over two connections: one per pod, kept alive.
    expect(new Set(seen.map((s) => s.remotePort)).size).toBe(2);
    expect(kyc.balancer.instances.map((i) => i.url)).toEqual(ADDRESSES.map((a) => `https://${a}:${port}`));
  });

  it('when the certificate does not carry the upstream’s name, then no request is sent and the failure is a TLS one, on every pod', async () => {
    const kyc = upstream(`https://p-other-pods:${port}`);
    const failure = await get(kyc).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect((failure as UpstreamError).kind).toBe('tls');
    expect((failure as UpstreamError).message).toMatch(/p-other-pods/);
    expect(seen).toEqual([]);
  });

  it('when the certificate is not signed by the bundle, then the handshake fails (no default CA is trusted instead)', async () => {
    bundle = testCa('another-ca').cert;
    const failure = await get(upstream()).catch((error: unknown) => error);
    expect((failure as UpstreamError).kind).toBe('tls');
    expect(seen).toEqual([]);
  });

  it('when the CA is renewed (bundle first, then the pods’ certificates), then requests keep flowing and new connections trust the new bundle', async () => {
    const kyc = upstream();
    expect((await get(kyc)).response.status).toBe(200);
    const renewed = testCa('test-platform-ca-2');
    try {
      bundle = `${ca.cert}${renewed.cert}`; // the bundle first: both CAs
      expect((await get(kyc)).response.status).toBe(200);
      serveWith(issueTls(renewed, [NAME])); // then the leaves, from the new CA
      for (let i = 0; i < 4; i += 1) expect((await get(kyc)).response.status).toBe(200);
      const earlier = new Set(seen.map((s) => s.remotePort));
      bundle = renewed.cert; // the old CA dropped last
      seen.length = 0;
      for (let i = 0; i < 4; i += 1) expect((await get(kyc)).response.status).toBe(200);
      // A changed bundle is a pool of its own: these went over new connections, verified by the new CA alone.
      expect(seen.filter((s) => earlier.has(s.remotePort))).toEqual([]);
    } finally {
      serveWith(issueTls(ca, [NAME]));
    }
  });
});
