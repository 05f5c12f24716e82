// The start-up every service shares (docs/workload-contract.md): logger, PostgreSQL pool migrated before
// anything else touches it, Redis, the Service and its two listeners (PORT, METRICS_PORT), and the drain
// on SIGTERM. A service's main.ts passes only what differs: its schema and migrations, and its wiring
// (routes, consumers, relays, stores). Each service re-reads the live settings (the feature flags,
// docs/api.md "Feature flags") from LIVE_SETTINGS_FILE while it runs; its wiring gets them.
//
//   start:    certificate (KYC_TLS_DIR, read and checked; none: plain HTTP) → pool, redis (opened lazily
//             by their drivers) → live settings (first read) → migrations → wire → metrics listener
//             → main listener → ready, "<component> listening"
//   SIGTERM:  /ready 503 → http drains → metrics-http → what wire registered, last first → redis → postgres
//             → certificate reloads stop → exit 0
//   failure:  any step throws → what was opened closes (same order) → the error goes up, and the
//             dispatcher (workloads/main.ts) logs "start-up failed" and exits 2
import type { Express } from 'express';
import type { Server } from 'node:http';
import type { CommonConfig, Env } from './config.js';
import { createPool, pingDatabase, warmPool } from './db.js';
import type { Pool } from './db.js';
import type { HealthChecks } from './health.js';
import { Service } from './http.js';
import type { Listening, ServiceOptions } from './http.js';
import { startConsumer } from './kafka.js';
import type { ConsumerOptions } from './kafka.js';
import { exitOnSignals } from './lifecycle.js';
import type { SignalTarget } from './lifecycle.js';
import { ColorGate, GatedConsumer } from './color-gate.js';
import { LiveSettings } from './live-settings.js';
import type { SectionParser } from './live-settings.js';
import { createLogger } from './logger.js';
import type { Logger } from './logger.js';
import { checkMigrated, runMigrations } from './migrate.js';
import type { Migration } from './migrate.js';
import { closeRedis, createRedis, pingRedis } from './redis.js';
import type { Redis } from './redis.js';
import { ServiceTls } from './tls.js';

/** What the in-process tests may override when they start a service; the rest comes from `env`. */
export interface StartOptions {
  env?: Env;
  logger?: Logger;
  port?: number;
  /** The metrics listener's port (METRICS_PORT); see Service.listen for the default. */
  metricsPort?: number;
  host?: string;
  /** How often LIVE_SETTINGS_FILE is re-read (default 1 s; the tests flip flags faster). */
  liveSettingsIntervalMs?: number;
  /** How often KYC_TLS_DIR is read again (default 5 s, tls.ts; the tests renew faster). */
  tlsReloadIntervalMs?: number;
}

/** What a service's wiring gets: the opened resources and the place to register its own closers. */
export interface Wiring<C> {
  config: C;
  logger: Logger;
  service: Service;
  /** The migrated pool (only when the spec names a database). */
  readonly pool: Pool;
  /** The service's Redis connection (only when the spec names one). */
  readonly redis: Redis;
  /** The feature flags in force, re-read from LIVE_SETTINGS_FILE (every flag on without it). */
  liveSettings: LiveSettings;
  /** Closes `close` at shutdown, before everything registered earlier. */
  onShutdown: (name: string, close: () => Promise<void> | void) => void;
  /** Registers `resource.close()` at shutdown and hands the resource back. */
  closing: <R extends { close(): Promise<void> | void }>(name: string, resource: R) => R;
  /**
   * A Kafka consumer with the service's logger and metrics, stopped at shutdown and reported as `externalAPIs` in
   * /health. It runs only while this pod's colour is the active one of a blue-green release (always without one):
   * docs/releases.md, "Blue-green isolation".
   */
  consume: (options: Omit<ConsumerOptions, 'logger' | 'metrics'>) => Promise<GatedConsumer>;
  /** Runs side-effect jobs (sweeps) only in the active colour, like `consume` its consumers. */
  colorGate: ColorGate;
}

export interface ServiceSpec<C extends CommonConfig, T extends object> {
  component: string;
  config: C;
  options?: StartOptions;
  /** Service options beyond the common ones (body limit, access-log level, response headers, ...). */
  http?: Omit<ServiceOptions, 'component' | 'logger' | 'version' | 'platform' | 'shutdownGraceMs' | 'health' | 'createServer' | 'tls'>;
  /** Makes the main listener's server (the gateway's edge guard); gets the Service for its metrics and logger. */
  createServer?: (app: Express, service: Service) => Server;
  /**
   * The service's own PostgreSQL schema, migrated before `wire` runs; `database` in /health. `poolMin`
   * connections are opened before the service listens (PoolOptions.min); `pipeline`: PoolOptions.pipeline.
   */
  database?: { url: string; poolMax: number; poolMin?: number; schema: string; migrations: readonly Migration[]; pipeline?: boolean };
  /** A Redis connection under `keyPrefix`; `cache` in /health. */
  redis?: { url: string; keyPrefix: string };
  /** Sections of the live settings this service reads besides the shared ones (the gateway's loadBalancing). */
  liveSections?: Readonly<Record<string, SectionParser>>;
  /** The service's own wiring; what it returns is part of the running service. */
  wire(wiring: Wiring<C>): Promise<T>;
}

export type RunningService<T extends object> = T & Listening & { service: Service; close(): Promise<void> };

/** The drivers start-up opens; the unit tests pass fakes. */
export interface StartupDrivers {
  createPool: typeof createPool;
  runMigrations: typeof runMigrations;
  checkMigrated: typeof checkMigrated;
  warmPool: typeof warmPool;
  pingDatabase: typeof pingDatabase;
  createRedis: typeof createRedis;
  pingRedis: typeof pingRedis;
  closeRedis: typeof closeRedis;
  startConsumer: typeof startConsumer;
}

const DRIVERS: StartupDrivers = {
  createPool,
  runMigrations,
  checkMigrated,
  warmPool,
  pingDatabase,
  createRedis,
  pingRedis,
  closeRedis,
  startConsumer,
};

export async function startService<C extends CommonConfig, T extends object>(
  spec: ServiceSpec<C, T>,
  drivers: StartupDrivers = DRIVERS,
): Promise<RunningService<T>> {
  const { component, config, options = {} } = spec;
  const logger =
    options.logger ?? createLogger({ component, platform: config.KYC_PLATFORM, version: config.KYC_VERSION, level: config.LOG_LEVEL });
  // First, before anything is opened: a pod told to serve TLS that cannot read its certificate stops here.
  const tls =
    config.KYC_TLS_DIR === undefined
      ? undefined
      : await ServiceTls.load(config.KYC_TLS_DIR, {
          logger,
          ...(options.tlsReloadIntervalMs !== undefined && { intervalMs: options.tlsReloadIntervalMs }),
        });
  const pool =
    spec.database &&
    drivers.createPool(spec.database.url, {
      max: spec.database.poolMax,
      ...(spec.database.poolMin !== undefined && { min: spec.database.poolMin }),
      applicationName: `kyc-${component}`,
      ...(spec.database.pipeline === true && { pipeline: true }),
    });
  const redis = spec.redis && drivers.createRedis(spec.redis.url, { connectionName: `kyc-${component}`, keyPrefix: spec.redis.keyPrefix });
  const health: HealthChecks = {};
  if (pool) health.database = () => drivers.pingDatabase(pool);
  if (redis) health.cache = () => drivers.pingRedis(redis);
  const { createServer } = spec;
  const service: Service = new Service({
    ...spec.http,
    component,
    logger,
    version: config.KYC_VERSION,
    platform: config.KYC_PLATFORM,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    health,
    ...(tls && { tls }),
    // Called by listen(), when `service` exists.
    ...(createServer && { createServer: (app: Express) => createServer(app, service) }),
  });
  const { lifecycle } = service;
  if (tls) {
    tls.start();
    lifecycle.onShutdown('tls', () => tls.stop());
  }
  if (pool) {
    lifecycle.onShutdown('postgres', () => pool.end());
    service.metrics.observePool(component, pool);
  }
  if (redis) lifecycle.onShutdown('redis', () => drivers.closeRedis(redis));
  const rejectedSettings = service.metrics.counter(
    'kyc_live_settings_rejected_total',
    'Live-settings files not applied (unreadable or invalid); the last good settings stayed in force',
  );
  const liveSettings = new LiveSettings({
    file: config.LIVE_SETTINGS_FILE,
    color: config.KYC_COLOR,
    logger,
    ...(spec.liveSections && { sections: spec.liveSections }),
    onRejected: () => rejectedSettings.inc(),
    ...(options.liveSettingsIntervalMs !== undefined && { intervalMs: options.liveSettingsIntervalMs }),
  });
  // The mode an admin forced gates every request (service-mode.ts, docs/api.md "Degradation").
  service.followMode(liveSettings);
  lifecycle.onShutdown('live-settings', () => liveSettings.stop());
  const colorGate = new ColorGate(liveSettings, { logger });
  try {
    // Read before anything is wired, so a service starts with the flags in force (a feature off stays off).
    await liveSettings.start();
    if (pool && spec.database) {
      const { schema, migrations } = spec.database;
      if (migrationsRunElsewhere(config)) await drivers.checkMigrated(pool, schema, migrations);
      else await drivers.runMigrations(pool, schema, migrations, logger);
      // The pool's own minimum: createPool has already held poolMin to poolMax.
      const wanted = pool.options.min ?? 0;
      if (wanted > 0) {
        const open = await drivers.warmPool(pool, wanted);
        if (open < wanted) logger.warn({ open, wanted }, 'fewer database connections opened before ready than wanted');
        else logger.info({ open }, 'database connections opened before ready');
      }
    }
    const wired = await spec.wire({
      config,
      logger,
      service,
      liveSettings,
      get pool(): Pool {
        if (!pool) throw new Error(`${component} declares no database`);
        return pool;
      },
      get redis(): Redis {
        if (!redis) throw new Error(`${component} declares no Redis`);
        return redis;
      },
      onShutdown: (name, close) => lifecycle.onShutdown(name, close),
      closing: (name, resource) => {
        lifecycle.onShutdown(name, () => resource.close());
        return resource;
      },
      colorGate,
      consume: async (consumerOptions) => {
        const consumer = new GatedConsumer(`consumer ${consumerOptions.groupId}`, () =>
          drivers.startConsumer({ ...consumerOptions, logger, metrics: service.metrics }),
        );
        // Closing the gate stops what it runs, for good (a switch during the drain starts nothing again).
        lifecycle.onShutdown('consumer', () => colorGate.close());
        service.setHealthChecks({ externalAPIs: () => consumer.isHealthy() });
        await colorGate.run(consumer);
        return consumer;
      },
    });
    const listening = await service.listen(
      options.port ?? config.PORT,
      options.host ?? config.HOST,
      options.metricsPort ?? config.METRICS_PORT,
    );
    return { ...wired, ...listening, service, close: () => service.close() };
  } catch (error) {
    await service.close();
    throw error;
  }
}

/**
 * DATABASE_MIGRATIONS=external (databaseEnv): the owner role migrated the schema before the service
 * started, and the service's own role could not (docs/security.md, "Per-service credentials").
 */
function migrationsRunElsewhere(config: object): boolean {
  return 'DATABASE_MIGRATIONS' in config && config.DATABASE_MIGRATIONS === 'external';
}

/**
 * A component's `main`: start, then drain and exit on SIGTERM/SIGINT. A start-up failure rejects after
 * closing what was opened; the dispatcher (workloads/main.ts) logs it and exits 2.
 */
export async function runUntilSignalled(start: () => Promise<{ service: Service }>, target?: SignalTarget): Promise<void> {
  const { service } = await start();
  exitOnSignals(service.lifecycle, service.logger, target);
}
