// The reduced-functionality modes: the pure verdict, and the gate as every Service installs it (in-process).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Service } from './http.js';
import type { Listening } from './http.js';
import { createLogger, memoryDestination } from './logger.js';
import {
  MAINTENANCE_PROBLEM,
  MODE_RETRY_AFTER_SECONDS,
  modeVerdict,
  READ_ONLY_PROBLEM,
  SERVICE_MODE_HEADER,
  type ServiceMode,
} from './service-mode.js';

describe('modeVerdict', () => {
  it('serves everything in Normal', () => {
    for (const method of ['GET', 'POST', 'DELETE']) expect(modeVerdict('Normal', method, '/api/v1/applications')).toBeUndefined();
  });

  it('when ReadOnly, then reads are served and every other method is a 503 read-only-mode with Retry-After', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'get']) expect(modeVerdict('ReadOnly', method, '/api/v1/applications')).toBeUndefined();
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const problem = modeVerdict('ReadOnly', method, '/api/v1/applications');
      expect([problem?.status, problem?.type, problem?.headers['Retry-After']]).toEqual([
        503,
        READ_ONLY_PROBLEM,
        String(MODE_RETRY_AFTER_SECONDS),
      ]);
    }
  });

  it('when ReadOnly, then signing in, refreshing and signing out stay open (sessions, not records), and signing up does not', () => {
    for (const path of ['/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/logout'])
      expect(modeVerdict('ReadOnly', 'POST', path)).toBeUndefined();
    expect(modeVerdict('ReadOnly', 'POST', '/api/v1/auth/register')?.type).toBe(READ_ONLY_PROBLEM);
    expect(modeVerdict('Maintenance', 'POST', '/api/v1/auth/login')?.type).toBe(MAINTENANCE_PROBLEM);
  });

  it('when Maintenance, then every request is a 503 maintenance except the public status and the web app’s files', () => {
    expect(modeVerdict('Maintenance', 'GET', '/api/v1/applications')?.type).toBe(MAINTENANCE_PROBLEM);
    expect(modeVerdict('Maintenance', 'GET', '/api/v1/status')).toBeUndefined();
    // The web app's page and files, so that it can show the mode; nothing else outside the API.
    for (const path of ['/', '/assets/index-AbC123.js']) expect(modeVerdict('Maintenance', 'GET', path)).toBeUndefined();
    expect(modeVerdict('Maintenance', 'POST', '/')?.type).toBe(MAINTENANCE_PROBLEM);
    expect(modeVerdict('Maintenance', 'GET', '/things')?.type).toBe(MAINTENANCE_PROBLEM);
  });
});

describe('the mode gate of a Service', () => {
  let mode: ServiceMode = 'Normal';
  let service: Service;
  let listening: Listening;
  let writes = 0;

  beforeAll(async () => {
    service = new Service({
      component: 'unit',
      logger: createLogger({ component: 'unit', level: 'silent', destination: memoryDestination() }),
    });
    service.followMode({ mode: () => mode });
    service.app.get('/things', (_req, res) => res.json({ things: [] }));
    service.app.post('/things', (_req, res) => {
      writes += 1;
      res.status(201).json({});
    });
    listening = await service.listen(0);
  });

  afterAll(async () => {
    await service.close();
  });

  const post = () => fetch(`${listening.url}/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

  it('follows the mode per request: header under a reduced mode, refusals as problem+json, probes always served', async () => {
    mode = 'Normal';
    const normal = await post();
    expect([normal.status, normal.headers.get(SERVICE_MODE_HEADER)]).toEqual([201, null]);

    mode = 'ReadOnly';
    const refused = await post();
    expect([
      refused.status,
      refused.headers.get('retry-after'),
      refused.headers.get(SERVICE_MODE_HEADER),
      refused.headers.get('content-type'),
    ]).toEqual([503, String(MODE_RETRY_AFTER_SECONDS), 'ReadOnly', expect.stringMatching(/application\/problem\+json/)]);
    expect(((await refused.json()) as { type: string; mode: string }).type).toBe(READ_ONLY_PROBLEM);
    const read = await fetch(`${listening.url}/things`);
    expect([read.status, read.headers.get(SERVICE_MODE_HEADER)]).toEqual([200, 'ReadOnly']);

    mode = 'Maintenance';
    const maintenance = await fetch(`${listening.url}/things`);
    expect([maintenance.status, maintenance.headers.get('retry-after'), ((await maintenance.json()) as { type: string }).type]).toEqual([
      503,
      String(MODE_RETRY_AFTER_SECONDS),
      MAINTENANCE_PROBLEM,
    ]);
    expect((await fetch(`${listening.url}/ready`)).status).toBe(200);
    expect((await fetch(`${listening.url}/livez`)).status).toBe(200);
    expect((await fetch(`${listening.metricsUrl}/health`)).status).toBe(200);

    mode = 'Normal';
    expect((await post()).status).toBe(201);
    expect(writes).toBe(2);
  });
});
