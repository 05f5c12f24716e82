// Bad input, property-based: thousands of malformed bodies, ids and headers against every kyc route.
// The service must answer each with a 4xx (or a success, where random input happens to be valid) —
// never a 5xx, never a dropped connection — and everything accepted before the storm must still be
// there, unchanged, afterwards.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { CONSENT, VALID_APPLICANT, panCardDocument, passportDocument, startKycHarness, token } from './kyc-support.js';
import type { KycHarness } from './kyc-support.js';
import { rawRequest } from '../../support/raw-http.js';
import { eventually, request } from './support.js';

type View = { id: string; state: string } & Record<string, unknown>;

const ROUTES: Array<{ method: string; path: (id: string) => string }> = [
  { method: 'POST', path: () => '/api/v1/applications' },
  { method: 'GET', path: (id) => `/api/v1/applications/${id}` },
  { method: 'PATCH', path: (id) => `/api/v1/applications/${id}` },
  { method: 'POST', path: (id) => `/api/v1/applications/${id}/documents` },
  { method: 'GET', path: (id) => `/api/v1/applications/${id}/documents/${id}` },
  { method: 'POST', path: (id) => `/api/v1/applications/${id}/submit` },
  { method: 'POST', path: (id) => `/api/v1/applications/${id}/cancel` },
  { method: 'POST', path: (id) => `/api/v1/applications/${id}/consent/withdraw` },
  { method: 'GET', path: () => '/api/v1/review/queue' },
  { method: 'POST', path: (id) => `/api/v1/review/${id}/recommend` },
  { method: 'POST', path: (id) => `/api/v1/review/${id}/request-resubmission` },
  { method: 'POST', path: (id) => `/api/v1/review/${id}/approve` },
  { method: 'POST', path: (id) => `/api/v1/review/${id}/reject` },
  { method: 'POST', path: (id) => `/api/v1/review/${id}/return` },
];

const APPLICANT_KEYS = ['name', 'dateOfBirth', 'pan', 'aadhaar', 'address', 'passport', 'voterId', 'drivingLicence', 'ckycNumber'];

/** Values that look almost right as often as plainly wrong. */
const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('', ' ', '0', '-1', 'null', '__proto__', 'constructor', '%00', '\u0000', '💥', 'a'.repeat(5000)),
  fc.constantFrom('ABCPR1234F', 'ABCPR0000F', '234123412346', '234123412347', 'WKH1186253', 'J8369854', '1990-05-17', '2999-01-01'),
  fc.stringMatching(/^[A-Z]{5}[0-9]{4}[A-Z]$/),
  fc.stringMatching(/^[2-9][0-9]{11}$/),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
);

const applicantBody = fc.oneof(
  fc.dictionary(fc.constantFrom(...APPLICANT_KEYS, 'extra', 'address.pincode'), nasty, { maxKeys: 6 }),
  fc.record({
    address: fc.dictionary(fc.constantFrom('line1', 'line2', 'city', 'state', 'pincode', 'country', 'x'), nasty, { maxKeys: 6 }),
  }),
  fc.jsonValue(),
  fc.anything(),
);

const anyBody = fc.oneof(
  fc.jsonValue(),
  fc.dictionary(
    fc.constantFrom('consent', 'type', 'contentType', 'content', 'recommendation', 'reason', 'note', 'documents', 'aadhaarRedacted'),
    nasty,
    { maxKeys: 4 },
  ),
  fc.record({ consent: fc.dictionary(fc.constantFrom('purposes', 'noticeVersion', 'x'), nasty, { maxKeys: 3 }) }),
  fc.record({
    type: nasty,
    contentType: fc.constantFrom('application/pdf', 'image/png', 'image/jpeg', 'text/plain'),
    content: fc.oneof(fc.base64String(), nasty),
  }),
);

const anyId = fc.oneof(
  fc.uuid(),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom(
    '',
    '.',
    '..',
    '%2e%2e',
    'null',
    'undefined',
    '0',
    '-1',
    "' OR 1=1 --",
    '00000000-0000-0000-0000-000000000000',
    'x'.repeat(3000),
  ),
);

describe('kyc routes under malformed input', () => {
  let h: KycHarness;
  let customer: string;
  let maker: string;
  let checker: string;
  let playground: string;
  const protectedViews = new Map<string, View>();
  const statuses = new Map<number, number>();

  const call = async (method: string, path: string, init: { body?: string; token?: string; headers?: Record<string, string> }) => {
    const res = await fetch(h.url(path), {
      method,
      headers: {
        ...(init.token !== undefined && { authorization: `Bearer ${init.token}` }),
        'content-type': 'application/json',
        ...init.headers,
      },
      ...(init.body !== undefined && method !== 'GET' && { body: init.body }),
    });
    await res.arrayBuffer();
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    return res.status;
  };
  const safe = (status: number): boolean => status < 500;
  const encode = (id: string): string => encodeURIComponent(id);

  beforeAll(async () => {
    h = await startKycHarness();
    const owner = `cust-${randomUUID()}`;
    customer = await token(owner, 'customer');
    maker = await token('fuzz-maker', 'maker');
    checker = await token('fuzz-checker', 'checker');
    // What must survive: a draft with data, a submitted application that reaches review, a cancelled one.
    const create = async () => (await request<View>(h.url('/api/v1/applications'), { body: CONSENT, token: customer })).body.id;
    const withData = await create();
    await request(h.url(`/api/v1/applications/${withData}`), { method: 'PATCH', body: VALID_APPLICANT, token: customer });
    const reviewed = await create();
    await request(h.url(`/api/v1/applications/${reviewed}`), { method: 'PATCH', body: VALID_APPLICANT, token: customer });
    await request(h.url(`/api/v1/applications/${reviewed}/documents`), { body: passportDocument, token: customer });
    await request(h.url(`/api/v1/applications/${reviewed}/documents`), { body: panCardDocument, token: customer });
    await request(h.url(`/api/v1/applications/${reviewed}/submit`), { body: {}, token: customer });
    const cancelled = await create();
    await request(h.url(`/api/v1/applications/${cancelled}/cancel`), { body: {}, token: customer });
    await eventually(async () => {
      const res = await request<View>(h.url(`/api/v1/applications/${reviewed}`), { token: maker });
      return res.body.state === 'pending_review' ? true : undefined;
    }, 60_000);
    for (const id of [withData, reviewed, cancelled]) {
      protectedViews.set(id, (await request<View>(h.url(`/api/v1/applications/${id}`), { token: maker })).body);
    }
    playground = await create();
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  }, 60_000);

  it('when applicant data is garbage, then PATCH answers 2xx or 4xx, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(applicantBody, async (body) =>
        safe(await call('PATCH', `/api/v1/applications/${playground}`, { body: JSON.stringify(body), token: customer })),
      ),
      { numRuns: 800 },
    );
  }, 180_000);

  it('when any route gets garbage bodies and ids, then it answers 4xx, never 5xx', async () => {
    const tokens = fc.constantFrom(customer, maker, checker);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), anyId, anyBody, tokens, async (route, id, body, t) =>
        safe(await call(route.method, route.path(encode(id)), { body: JSON.stringify(body), token: t })),
      ),
      { numRuns: 1200 },
    );
  }, 240_000);

  it('when review actions target real applications with garbage bodies, then nothing breaks', async () => {
    const ids = [...protectedViews.keys()];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES.filter((r) => r.method === 'POST')),
        fc.constantFrom(...ids),
        anyBody,
        fc.constantFrom(maker, checker),
        async (route, id, body, t) => {
          // Only malformed bodies here: a well-formed decision would legitimately change a protected application.
          const malformed =
            typeof body !== 'object' ||
            body === null ||
            Array.isArray(body) ||
            'x' in body ||
            Object.keys(body).length === 0 ||
            'extra' in body;
          fc.pre(malformed && !route.path(id).endsWith('/cancel'));
          return safe(await call(route.method, route.path(id), { body: JSON.stringify(body), token: t }));
        },
      ),
      { numRuns: 400 },
    );
  }, 180_000);

  it('when the raw body, content type, token or idempotency key are garbage, then 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.oneof(
          fc.string(),
          fc.constantFrom('{', '[', '{"a":', 'null', '""', '{"consent":{"purposes":["kyc_verification"],"noticeVersion":"v1"}}'),
        ),
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/json; charset=utf-16',
          'multipart/form-data; boundary=x',
          '',
        ),
        fc.oneof(
          fc.constant(customer),
          fc.string(),
          fc.constantFrom('', 'Bearer', `${customer}x`, customer.split('.').reverse().join('.')),
        ),
        fc.option(fc.oneof(fc.string(), fc.string({ minLength: 256, maxLength: 300 }), fc.uuid()), { nil: undefined }),
        async (route, raw, contentType, t, key) => {
          const headers: Record<string, string> = { 'content-type': contentType };
          if (key !== undefined && /^[\t\x20-\x7e]*$/.test(key)) headers['idempotency-key'] = key;
          const status = await call(route.method, route.path(playground), { body: raw, token: t, headers });
          return safe(status);
        },
      ),
      { numRuns: 600 },
    );
  }, 180_000);

  it('when bodies nest too deep (with or without an Idempotency-Key), then 400 json-too-deep, never 5xx', async () => {
    const opener = fc.constantFrom('[', '{"a":', '{"consent":', '[1,', '{"address":{"x":');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES.filter((r) => r.method !== 'GET')),
        opener,
        fc.integer({ min: 33, max: 200_000 }),
        fc.boolean(),
        async (route, open, depth, keyed) => {
          const body = open.repeat(depth);
          const headers: Record<string, string> = keyed ? { 'idempotency-key': `deep-${randomUUID()}` } : {};
          const status = await call(route.method, route.path(playground), { body, token: customer, headers });
          return status === 400;
        },
      ),
      { numRuns: 150 },
    );
  }, 180_000);

  it('when bodies are over 4 MB, then 413, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES.filter((r) => r.method !== 'GET')),
        fc.integer({ min: 4 * 1024 * 1024 + 1, max: 5 * 1024 * 1024 }),
        async (route, size) => {
          const body = JSON.stringify({ content: 'A'.repeat(size) });
          return (
            (await call(route.method, route.path(playground), {
              body,
              token: customer,
              headers: { 'idempotency-key': `big-${randomUUID()}` },
            })) === 413
          );
        },
      ),
      { numRuns: 8 },
    );
  }, 180_000);

  it('when request targets are absolute-form, dot-segmented or percent-encoded, then never 5xx and never the metrics', async () => {
    const port = Number(new URL(h.url('/')).port);
    const target = fc.oneof(
      fc.constantFrom(...ROUTES).map((r) => r.path(playground)),
      fc.constantFrom(
        '/metrics',
        '/health',
        '/api/v1/applications/../../metrics',
        '/api/v1/%2e%2e/%2e%2e/health',
        '/api/v1/applications/..%2f..%2fmetrics',
        '//metrics',
        '/./health',
      ),
    );
    const shape = fc.constantFrom(
      (p: string) => p,
      (p: string) => `http://169.254.169.254${p}`,
      (p: string) => `http://127.0.0.1:${port}${p}`,
      (p: string) => p.replace('/api/v1/', '/api/v1/./'),
      (p: string) => p.replace('/api/v1/', '/api/v1/x/../'),
      (p: string) => p.replace(/\//g, '/%2f').replace('/%2f', '/'),
      (p: string) => p.toUpperCase(),
    );
    await fc.assert(
      fc.asyncProperty(target, shape, fc.constantFrom('GET', 'POST'), async (path, form, method) => {
        const res = await rawRequest(
          port,
          `${method} ${form(path)} HTTP/1.1\r\nHost: kyc\r\nAuthorization: Bearer ${maker}\r\nContent-Type: application/json`,
          method === 'POST' ? '{}' : '',
        );
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        return res.status > 0 && res.status < 500 && !res.body.includes('kyc_http_requests_total') && !res.body.includes('"checks"');
      }),
      { numRuns: 300 },
    );
  }, 180_000);

  it('then everything accepted before is still there, unchanged, and the service is healthy', async () => {
    for (const [id, before] of protectedViews) {
      const after = await request<View>(h.url(`/api/v1/applications/${id}`), { token: maker });
      expect(after.status).toBe(200);
      expect(after.body).toEqual(before);
    }
    expect((await request(h.metricsUrl('/health'))).status).toBe(200);
    const served = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(served).toBeGreaterThanOrEqual(2500);
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
  });
});
