import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { platform } from './api/fixtures.js';
import { startManager, ShutdownSequence, type RunningOperator } from './manager.js';
import type { PlatformResource } from './reconcile/platform.js';
import { PLATFORM } from './reconcile/resources.js';
import { loadConfig, type OperatorConfig } from './runtime/config.js';
import { FakeKube } from './runtime/testing/fake-kube.js';
import { ApiError } from './runtime/kube.js';
import { createLogger } from './runtime/logger.js';

describe('ShutdownSequence', () => {
  it('when the operator stops, then what started last stops first, each part once', async () => {
    const stopped: string[] = [];
    const shutdown = new ShutdownSequence(createLogger('error'));
    for (const part of ['kube client', 'events', 'informers', 'leadership', 'probe server']) shutdown.add(part, () => stopped.push(part));

    expect(await shutdown.run()).toBe(true);
    expect(await shutdown.run()).toBe(true);
    expect(stopped).toEqual(['probe server', 'leadership', 'informers', 'events', 'kube client']);
  });

  it('when one part fails to stop, then the parts below it still stop and the run reports it', async () => {
    const stopped: string[] = [];
    const shutdown = new ShutdownSequence(createLogger('error', { write: () => true } as unknown as NodeJS.WritableStream));
    shutdown.add('kube client', () => stopped.push('kube client'));
    shutdown.add('informers', () => Promise.reject(new Error('watch did not end')));
    shutdown.add('probe server', async () => {
      await Promise.resolve();
      stopped.push('probe server');
    });

    expect(await shutdown.run()).toBe(false);
    expect(stopped).toEqual(['probe server', 'kube client']);
  });
});

describe('startManager', () => {
  const namespace = 'kyc-test';
  const config = (): OperatorConfig =>
    loadConfig([], {
      WATCH_NAMESPACE: namespace,
      LEADER_ELECT: 'false',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      HEALTH_PROBE_PORT: '0',
      RETRY_BASE_MS: '5',
      RETRY_MAX_MS: '5',
    });
  const running: RunningOperator[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((operator) => operator.stop()));
  });

  async function start(api: FakeKube): Promise<RunningOperator> {
    const operator = await startManager(config(), { client: api.asClient(), logger: pino({ enabled: false }) });
    running.push(operator);
    return operator;
  }

  async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
    // 20 s: a first pass renders and applies every component's objects, slow on two busy cores.
    for (let waited = 0; waited < 20_000; waited += 10) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  const results = async (operator: RunningOperator): Promise<Record<string, number>> =>
    Object.fromEntries((await operator.metrics.reconciles.get()).values.map((v) => [String(v.labels.result), v.value]));

  it('when a platform exists, then the running operator is ready, reconciles it and records its Events', async () => {
    const api = new FakeKube();
    await api.create(PLATFORM, namespace, { ...platform({ profile: 'development' }, 'acme'), metadata: { name: 'acme', namespace } });
    const operator = await start(api);

    await until('the platform status', () => api.peek<PlatformResource>(PLATFORM, namespace, 'acme')?.status !== undefined);
    expect((await fetch(`http://127.0.0.1:${operator.probePort}/readyz`)).status).toBe(200);
    expect(api.writes.some((w) => w.verb === 'apply' && w.kind === 'Deployment')).toBe(true);
    await until('the Created Event', () => api.writes.some((w) => w.verb === 'create' && w.kind === 'Event'));
    expect((await results(operator)).requeue).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it('when a status write answers 409, then the pass counts as a conflict, not an error, and the retry writes the status', async () => {
    const api = new FakeKube();
    await api.create(PLATFORM, namespace, { ...platform({ profile: 'development' }, 'acme'), metadata: { name: 'acme', namespace } });
    api.failNext('apply', new ApiError('apply kycplatforms/acme: 409 the object has been modified', 409, 'Conflict'), {
      kind: PLATFORM.kind,
    });
    const operator = await start(api);

    await until('the platform status', () => api.peek<PlatformResource>(PLATFORM, namespace, 'acme')?.status !== undefined);
    await operator.idle();
    expect(await results(operator)).toMatchObject({ conflict: 1 });
    expect((await results(operator)).error).toBeUndefined();
    expect((await operator.metrics.reconcileErrors.get()).values[0]?.value ?? 0).toBe(0);
  }, 30_000);

  it('when it stops, then the probe server is closed and later stops do nothing', async () => {
    const operator = await startManager(config(), { client: new FakeKube().asClient(), logger: pino({ enabled: false }) });
    await operator.stop();
    await operator.stop();
    await expect(fetch(`http://127.0.0.1:${operator.probePort}/healthz`)).rejects.toThrow();
  });
});
