// The shared start-up's lifecycle with fake drivers (no PostgreSQL, Redis or Kafka) and real listeners on
// free ports: what opens in which order, what drains in which order, and what a failing step leaves.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { describe, expect, it, jest } from '@jest/globals';
import { commonEnv, databaseEnv, loadConfig } from './config.js';
import type { CommonConfig } from './config.js';
import type { Pool } from './db.js';
import type { HealthReport } from './health.js';
import type { Consumer, Kafka } from './kafka.js';
import type { SignalTarget } from './lifecycle.js';
import { createLogger } from './logger.js';
import type { Redis } from './redis.js';
import { runUntilSignalled, startService } from './startup.js';
import type { RunningService, ServiceSpec, StartupDrivers } from './startup.js';
import { SecretVolume, issueTls, testCa } from './testing/tls-files.js';

type Spec = ServiceSpec<CommonConfig, { consumer?: unknown }>;

/** Every driver call, every closer and every log message, in the order they happen. */
function harness(failAt?: 'migrations', warmOpen?: number) {
  const events: string[] = [];
  const logger = createLogger({
    component: 'unit',
    destination: {
      write: (line: string) => {
        events.push(`log: ${(JSON.parse(line) as { msg: string }).msg}`);
      },
    },
  });
  const pool = {
    totalCount: 0,
    idleCount: 0,
    waitingCount: 0,
    end: () => Promise.resolve(void events.push('postgres closed')),
  } as unknown as Pool;
  const redis = {} as Redis;
  const drivers: StartupDrivers = {
    // Only the minimum of the options: what startService reads back (createPool's bounds: db.test.ts).
    createPool: (_url, options) => (events.push('pool'), Object.assign(pool, { options: { min: options?.min } })),
    runMigrations: (_pool, schema) => {
      events.push(`migrations ${schema}`);
      return failAt === 'migrations'
        ? Promise.reject(new Error('migration unit 1 (init) failed'))
        : Promise.resolve({ applied: [], current: 1 });
    },
    checkMigrated: (_pool, schema) => (events.push(`check migrated ${schema}`), Promise.resolve({ applied: [], current: 1 })),
    warmPool: (_pool, count) => (events.push(`warm ${count}`), Promise.resolve(warmOpen ?? count)),
    pingDatabase: () => Promise.resolve(true),
    createRedis: () => (events.push('redis'), redis),
    pingRedis: () => Promise.resolve(true),
    closeRedis: () => Promise.resolve(void events.push('redis closed')),
    startConsumer: () => {
      events.push('consumer');
      return Promise.resolve({
        consumer: {} as Consumer,
        joined: Promise.resolve(),
        isHealthy: () => true,
        pause: () => undefined,
        resume: () => undefined,
        isPaused: () => false,
        stop: () => Promise.resolve(void events.push('consumer stopped')),
      });
    },
  };
  const config = loadConfig(commonEnv, { SHUTDOWN_GRACE_MS: '1000' });
  const spec = (wire: Spec['wire'], port = 0, metricsPort = 0): Spec => ({
    component: 'unit',
    config,
    options: { logger, port, metricsPort, host: '127.0.0.1' },
    database: { url: 'postgres://unused', poolMax: 1, schema: 'unit', migrations: [] },
    redis: { url: 'redis://unused', keyPrefix: 'unit:' },
    wire,
  });
  /** A wiring with a consumer and a closable resource, as the services have. */
  const wire: Spec['wire'] = async ({ service, consume, closing }) => {
    events.push(`wire (ready: ${service.lifecycle.isReady()})`);
    const consumer = await consume({ kafka: {} as Kafka, groupId: 'unit', topics: ['unit.events'], handle: () => Promise.resolve() });
    closing('token-verifier', { close: () => void events.push('token-verifier closed') });
    return { consumer };
  };
  return { events, drivers, spec, wire };
}

/** Records when each listener starts draining, and whether /ready still said yes at that moment. */
function watchDrain(running: RunningService<object>, events: string[]): void {
  for (const [name, server] of [
    ['http', running.server],
    ['metrics-http', running.metricsServer],
  ] as const) {
    const close = server.close.bind(server);
    jest.spyOn(server, 'close').mockImplementation((callback) => {
      events.push(`${name} drains (ready: ${running.service.lifecycle.isReady()})`);
      return close(callback);
    });
  }
}

describe('startService', () => {
  it('starts no consumer in a colour the live settings do not name active, and starts it when the switch names it (docs/releases.md)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'startup-color-'));
    const file = path.join(dir, 'live-settings.json');
    await writeFile(file, JSON.stringify({ featureFlags: {}, activeColor: 'blue' }));
    const { drivers, spec, wire, events } = harness();
    const running = await startService(
      {
        ...spec(wire),
        options: { ...spec(wire).options, liveSettingsIntervalMs: 20 },
        config: loadConfig(commonEnv, { SHUTDOWN_GRACE_MS: '1000', LIVE_SETTINGS_FILE: file, KYC_COLOR: 'green' }),
      },
      drivers,
    );
    try {
      expect(events).not.toContain('consumer');
      const health = (await (await fetch(`${running.metricsUrl}/health`)).json()) as HealthReport;
      expect(health.checks.externalAPIs).toBe('OK'); // stopped on purpose is healthy
      await writeFile(file, JSON.stringify({ featureFlags: {}, activeColor: 'green' }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(events).toContain('consumer');
    } finally {
      await running.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('hands the wiring the live settings already read from LIVE_SETTINGS_FILE, so a feature off at start-up is off from the first request', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'startup-live-'));
    const file = path.join(dir, 'live-settings.json');
    await writeFile(file, JSON.stringify({ featureFlags: { 'new-applications': false } }));
    const { drivers, spec } = harness();
    const seen: boolean[] = [];
    const running = await startService(
      {
        ...spec(({ liveSettings }) => {
          seen.push(liveSettings.isOn('new-applications'), liveSettings.isOn('document-upload'));
          return Promise.resolve({});
        }),
        config: loadConfig(commonEnv, { SHUTDOWN_GRACE_MS: '1000', LIVE_SETTINGS_FILE: file }),
      },
      drivers,
    );
    try {
      expect(seen).toEqual([false, true]);
    } finally {
      await running.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('opens the pool and Redis, migrates, wires, then listens on both ports and only then is ready', async () => {
    const { events, drivers, spec, wire } = harness();
    const running = await startService(spec(wire), drivers);
    try {
      expect(events).toEqual(['pool', 'redis', 'migrations unit', 'wire (ready: false)', 'consumer', 'log: unit listening']);
      expect(running.service.lifecycle.isReady()).toBe(true);
      expect(running.metricsPort).not.toBe(running.port);
      const health = await fetch(`${running.metricsUrl}/health`);
      expect(((await health.json()) as HealthReport).checks).toEqual({ database: 'OK', cache: 'OK', externalAPIs: 'OK' });
      expect((await fetch(`${running.url}/ready`)).status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it("opens the pool's minimum of database connections after migrating and before wiring, so the first requests find them open", async () => {
    const { events, drivers, spec, wire } = harness();
    const base = spec(wire);
    const running = await startService({ ...base, database: { ...base.database!, poolMin: 3, poolMax: 5 } }, drivers);
    try {
      expect(events.slice(0, 6)).toEqual([
        'pool',
        'redis',
        'migrations unit',
        'warm 3',
        'log: database connections opened before ready',
        'wire (ready: false)',
      ]);
    } finally {
      await running.close();
    }
  });

  it('when fewer connections open than poolMin, then it says so and starts anyway: requests open the rest, as without warming', async () => {
    const { events, drivers, spec, wire } = harness(undefined, 1);
    const base = spec(wire);
    const running = await startService({ ...base, database: { ...base.database!, poolMin: 4, poolMax: 10 } }, drivers);
    try {
      expect(events).toContain('log: fewer database connections opened before ready than wanted');
      expect(running.service.lifecycle.isReady()).toBe(true);
    } finally {
      await running.close();
    }
  });

  it('when closed, then /ready is already 503 as the main listener starts draining, and the rest closes last-opened first', async () => {
    const { events, drivers, spec, wire } = harness();
    const running = await startService(spec(wire), drivers);
    watchDrain(running, events);
    events.length = 0;
    await running.close();
    expect(events).toEqual([
      'http drains (ready: false)',
      'metrics-http drains (ready: false)',
      'token-verifier closed',
      'consumer stopped',
      'redis closed',
      'postgres closed',
      'log: shutdown complete',
    ]);
  });

  it('when DATABASE_MIGRATIONS=external, then it only checks that its schema is migrated (its own role could not migrate it)', async () => {
    const { events, drivers, spec, wire } = harness();
    const config = loadConfig(commonEnv.extend(databaseEnv.shape), {
      SHUTDOWN_GRACE_MS: '1000',
      DATABASE_URL: 'postgres://unused',
      DATABASE_MIGRATIONS: 'external',
    });
    const running = await startService({ ...spec(wire), config }, drivers);
    try {
      expect(events.slice(0, 4)).toEqual(['pool', 'redis', 'check migrated unit', 'wire (ready: false)']);
    } finally {
      await running.close();
    }
  });

  it('when the migrations fail, then it rejects with their error after closing Redis and the pool, without wiring or listening', async () => {
    const { events, drivers, spec, wire } = harness('migrations');
    await expect(startService(spec(wire), drivers)).rejects.toThrow('migration unit 1 (init) failed');
    expect(events).toEqual(['pool', 'redis', 'migrations unit', 'redis closed', 'postgres closed', 'log: shutdown complete']);
  });

  it('when a wiring step fails, then what the wiring opened before it closes too, last-opened first', async () => {
    const { events, drivers, spec } = harness();
    const failing: Spec['wire'] = async ({ consume, closing }) => {
      await consume({ kafka: {} as Kafka, groupId: 'unit', topics: ['unit.events'], handle: () => Promise.resolve() });
      closing('token-verifier', { close: () => void events.push('token-verifier closed') });
      throw new Error('AUTH_SIGNING_KEYS holds no key');
    };
    await expect(startService(spec(failing), drivers)).rejects.toThrow('AUTH_SIGNING_KEYS holds no key');
    expect(events).toEqual([
      'pool',
      'redis',
      'migrations unit',
      'consumer',
      'token-verifier closed',
      'consumer stopped',
      'redis closed',
      'postgres closed',
      'log: shutdown complete',
    ]);
  });

  it('when the main port is taken, then it rejects with EADDRINUSE after closing the metrics listener it had opened and everything else', async () => {
    const listenOn = async (port: number): Promise<net.Server> => {
      const server = net.createServer();
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
      return server;
    };
    const stop = (server: net.Server) => new Promise((resolve) => server.close(resolve));
    const taken = await listenOn(0);
    const probe = await listenOn(0);
    const metricsPort = (probe.address() as AddressInfo).port;
    await stop(probe);
    try {
      const { events, drivers, spec, wire } = harness();
      await expect(startService(spec(wire, (taken.address() as AddressInfo).port, metricsPort), drivers)).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
      expect(events.slice(-5)).toEqual([
        'token-verifier closed',
        'consumer stopped',
        'redis closed',
        'postgres closed',
        'log: shutdown complete',
      ]);
      expect(events).not.toContain('log: unit listening');
      // The metrics listener had bound its port before the main one failed; the port is free again.
      await stop(await listenOn(metricsPort));
    } finally {
      await stop(taken);
    }
  });
});

/** The status of GET `url` over TLS 1.3 trusting `ca` alone, and the protocol the connection used. */
function getOverTls(url: string, ca: string): Promise<{ status: number; protocol: string | null }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, servername: 'localhost', minVersion: 'TLSv1.3', agent: false }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, protocol: (res.socket as tls.TLSSocket).getProtocol() });
      })
      .on('error', reject);
  });
}

/** How a TLS 1.2-only client's handshake with `port` ends: the error's code. */
function tls12Handshake(port: number, ca: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, maxVersion: 'TLSv1.2' }, () => {
      socket.end();
      resolve('connected');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('startService with KYC_TLS_DIR', () => {
  it('when the certificate is there, then both listeners serve HTTPS only, TLS 1.3 at least, and the wiring finds the trust bundle on the service', async () => {
    const ca = testCa();
    const volume = await SecretVolume.create(issueTls(ca, ['unit', 'localhost']));
    const { events, drivers, spec } = harness();
    let bundle: string | undefined;
    const running = await startService(
      {
        ...spec(({ service }) => {
          bundle = service.tls?.ca();
          return Promise.resolve({});
        }),
        config: loadConfig(commonEnv, { SHUTDOWN_GRACE_MS: '1000', KYC_TLS_DIR: volume.dir }),
      },
      drivers,
    );
    try {
      expect(events.slice(0, 3)).toEqual(['log: serving TLS', 'pool', 'redis']);
      expect(bundle).toBe(ca.cert);
      expect(running.url).toMatch(/^https:/);
      expect(running.metricsUrl).toMatch(/^https:/);
      expect(await getOverTls(`${running.url}/ready`, ca.cert)).toEqual({ status: 200, protocol: 'TLSv1.3' });
      expect(await getOverTls(`${running.metricsUrl}/health`, ca.cert)).toEqual({ status: 200, protocol: 'TLSv1.3' });
      for (const port of [running.port, running.metricsPort]) {
        expect(await tls12Handshake(port, ca.cert)).toMatch(/PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL/);
        await expect(fetch(`http://127.0.0.1:${port}/ready`)).rejects.toThrow();
      }
    } finally {
      await running.close();
      await volume.remove();
    }
  });

  it('when the certificate cannot be read, then start-up fails before opening anything', async () => {
    const { events, drivers, spec, wire } = harness();
    const config = loadConfig(commonEnv, { KYC_TLS_DIR: '/nonexistent/kyc-tls' });
    await expect(startService({ ...spec(wire), config }, drivers)).rejects.toThrow('KYC_TLS_DIR /nonexistent/kyc-tls: cannot read');
    expect(events).toEqual([]);
  });
});

describe('runUntilSignalled', () => {
  /** A stand-in for `process`: the handlers it was given and the exit code asked for. */
  function fakeProcess() {
    const handlers = new Map<string, (signal: NodeJS.Signals) => void>();
    let exited: (code: number) => void = () => undefined;
    const exit = new Promise<number>((resolve) => (exited = resolve));
    const target: SignalTarget = {
      once: (signal, handler) => handlers.set(signal, handler),
      exit: (code) => exited(code),
    };
    return { handlers, exit, target };
  }

  it('on SIGTERM, logs "shutting down", drains and exits 0', async () => {
    const { events, drivers, spec, wire } = harness();
    const { handlers, exit, target } = fakeProcess();
    await runUntilSignalled(() => startService(spec(wire), drivers), target);
    expect([...handlers.keys()]).toEqual(['SIGTERM', 'SIGINT']);
    events.length = 0;
    handlers.get('SIGTERM')?.('SIGTERM');
    expect(await exit).toBe(0);
    expect(events).toEqual([
      'log: shutting down',
      'token-verifier closed',
      'consumer stopped',
      'redis closed',
      'postgres closed',
      'log: shutdown complete',
    ]);
  });

  it('when start-up fails, then it rejects (the dispatcher exits 2) and listens for no signal', async () => {
    const { drivers, spec, wire } = harness('migrations');
    const { handlers, target } = fakeProcess();
    await expect(runUntilSignalled(() => startService(spec(wire), drivers), target)).rejects.toThrow('migration unit 1 (init) failed');
    expect(handlers.size).toBe(0);
  });
});
