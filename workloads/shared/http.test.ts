// The Service's two listeners and its JSON body limits, in-process on free ports (no dependencies).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Service } from './http.js';
import type { Listening } from './http.js';
import { createLogger, memoryDestination } from './logger.js';

describe('Service', () => {
  let service: Service;
  let listening: Listening;
  let handled = 0;

  beforeAll(async () => {
    service = new Service({
      component: 'unit',
      logger: createLogger({ component: 'unit', level: 'silent', destination: memoryDestination() }),
      bodyLimit: '10kb',
      health: { database: () => true },
    });
    service.app.post('/echo', (req, res) => {
      handled += 1;
      res.json({ got: req.body as unknown });
    });
    listening = await service.listen(0);
  });

  afterAll(async () => {
    await service.close();
  });

  it('serves /metrics and /health on the metrics listener only', async () => {
    expect(listening.metricsPort).not.toBe(listening.port);
    expect((await fetch(`${listening.metricsUrl}/metrics`)).status).toBe(200);
    const health = await fetch(`${listening.metricsUrl}/health`);
    expect([health.status, ((await health.json()) as { message: string }).message]).toEqual([200, 'OK']);
    for (const path of ['/metrics', '/health', '/Metrics', '/health/']) {
      const res = await fetch(`${listening.url}${path}`);
      expect([path, res.status, res.headers.get('content-type')]).toEqual([path, 404, expect.stringMatching(/application\/problem\+json/)]);
    }
    expect((await fetch(`${listening.url}/ready`)).status).toBe(200);
    expect((await fetch(`${listening.metricsUrl}/ready`)).status).toBe(404);
  });

  it('refuses JSON nested deeper than 32 levels with 400 and bodies over the limit with 413, before any handler runs', async () => {
    const post = (body: string) =>
      fetch(`${listening.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const before = handled;
    const deep = await post(`${'['.repeat(33)}${']'.repeat(33)}`);
    expect([deep.status, ((await deep.json()) as { type: string }).type]).toEqual([400, 'https://kyc.dev/problems/json-too-deep']);
    expect((await post(JSON.stringify({ a: 'x'.repeat(11_000) }))).status).toBe(413);
    expect(handled).toBe(before);
    const ok = await post(`${'['.repeat(32)}${']'.repeat(32)}`);
    expect(ok.status).toBe(200);
    expect(handled).toBe(before + 1);
  });
});

describe('Service errors', () => {
  let service: Service;
  let listening: Listening;

  beforeAll(async () => {
    service = new Service({
      component: 'unit',
      logger: createLogger({ component: 'unit', level: 'silent', destination: memoryDestination() }),
    });
    service.app.post('/down', () => {
      throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.9:5432'), { code: 'ECONNREFUSED' });
    });
    service.app.get('/bug', () => {
      throw new Error('bug');
    });
    listening = await service.listen(0);
  });

  afterAll(async () => {
    await service.close();
  });

  it('when a route meets an unreachable database, then 503 problem+json with Retry-After', async () => {
    const response = await fetch(`${listening.url}/down`, { method: 'POST' });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const body = (await response.json()) as { type: string; detail: string };
    expect(body.type).toBe('https://kyc.dev/problems/temporarily-unavailable');
    expect(body.detail).not.toContain('10.0.0.9');
  });

  it('when a route has a bug, then still a 500', async () => {
    expect((await fetch(`${listening.url}/bug`)).status).toBe(500);
  });
});
