// The operator's HTTP endpoints: /metrics (Prometheus), /healthz (the process is alive and its
// watches are running), /readyz (caches synced, not shutting down).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface Probes {
  healthy: () => boolean;
  ready: () => boolean;
}

export interface ProbeServer {
  port: number;
  close: () => Promise<void>;
}

export async function startProbeServer(host: string, port: number, registry: Registry, probes: Probes): Promise<ProbeServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (code: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(code, { 'Content-Type': type });
      res.end(body);
    };
    if (req.method !== 'GET') return reply(405, 'method not allowed\n');
    if (path === '/healthz') return probes.healthy() ? reply(200, 'ok\n') : reply(500, 'unhealthy\n');
    if (path === '/readyz') return probes.ready() ? reply(200, 'ok\n') : reply(503, 'not ready\n');
    if (path === '/metrics') {
      registry
        .metrics()
        .then((text) => reply(200, text, registry.contentType))
        .catch(() => reply(500, 'metrics unavailable\n'));
      return;
    }
    reply(404, 'not found\n');
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
