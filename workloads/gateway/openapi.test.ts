import { describe, expect, it } from '@jest/globals';
import { Router } from 'express';
import type { AggregateRepository } from '../analytics/data-access/aggregates.js';
import { analyticsRoutes } from '../analytics/entry-points/routes.js';
import type { UserRepository } from '../auth/data-access/users.js';
import type { AuthService } from '../auth/domain/auth-service.js';
import { authRoutes, loginBody, refreshBody, registerBody, roleBody, staffBody } from '../auth/entry-points/routes.js';
import { validateApplicantPatch } from '../kyc/domain/applicant.js';
import { validateConsent } from '../kyc/domain/consent.js';
import { validateDocumentUpload } from '../kyc/domain/documents.js';
import type { Erasure } from '../kyc/domain/erasure.js';
import type { KycService } from '../kyc/domain/kyc-service.js';
import { kycRoutes } from '../kyc/entry-points/routes.js';
import type { NotificationRepository } from '../notification/data-access/notifications.js';
import { notificationRoutes } from '../notification/entry-points/routes.js';
import type { ContactBook } from '../notification/entry-points/routes.js';
import { webhookBody, webhookRoutes } from '../notification/entry-points/webhook-routes.js';
import type { WebhookRegistry } from '../notification/domain/webhooks.js';
import { AllowedNetworks } from '../notification/domain/webhook-url.js';
import type { IdempotencyStore, TokenVerifier } from '../shared/index.js';
import { PROBLEM_TYPES, problemTypeUri } from '../shared/problem-types.js';
import { EXAMPLES } from './openapi-examples.js';
import { openApiDocument } from './openapi.js';
import { matchRoute, upstreamFor } from './routes.js';

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** "METHOD /path/{param}" for every route an express router registers (its own stack, no mounts). */
function registeredRoutes(router: Router): string[] {
  const out: string[] = [];
  for (const layer of router.stack as Array<{ route?: { path: unknown; methods: Record<string, boolean> } }>) {
    if (!layer.route) continue;
    const path = String(layer.route.path).replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    for (const [method, on] of Object.entries(layer.route.methods))
      if (on && method !== '_all') out.push(`${method.toUpperCase()} ${path}`);
  }
  return out;
}

const stub = <T>(): T => ({}) as T;
/** The routes of several routers of one service (notification mounts two) in one router's stack. */
function oneRouter(...routers: Router[]): Router {
  const router = Router();
  for (const part of routers) router.stack.push(...part.stack);
  return router;
}
const serviceRouters = {
  auth: authRoutes(stub<AuthService>(), stub<UserRepository>(), stub<TokenVerifier>()),
  kyc: kycRoutes({
    service: stub<KycService>(),
    erasure: stub<Erasure>(),
    tokens: stub<TokenVerifier>(),
    idempotencyStore: stub<IdempotencyStore>(),
  }),
  analytics: analyticsRoutes(stub<AggregateRepository>()),
  notification: oneRouter(
    notificationRoutes(stub<NotificationRepository>(), stub<ContactBook>()),
    webhookRoutes(stub<WebhookRegistry>(), { allowHttp: false, allowed: new AllowedNetworks() }),
  ),
};

const doc = openApiDocument('1.2.3') as Json;
const paths = doc.paths as Record<string, Record<string, Json>>;
/** Routes the gateway answers itself (main.ts): no upstream registers them. */
const GATEWAY_OWN = ['GET /api/v1/status'];
const documented = Object.entries(paths)
  .flatMap(([path, item]) =>
    Object.keys(item)
      .filter((k) => METHODS.includes(k))
      .map((method) => `${method.toUpperCase()} /api/v1${path}`),
  )
  .filter((route) => !GATEWAY_OWN.includes(route));
const operations = Object.entries(paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([k]) => METHODS.includes(k))
    .map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, op })),
);

/** Every {"$ref": "..."} string anywhere in a value. */
function refs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refs);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Json).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [v] : refs(v)));
}

function resolve(pointer: string): unknown {
  expect(pointer.startsWith('#/')).toBe(true);
  let node: unknown = doc;
  for (const part of pointer
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    if (node === null || typeof node !== 'object' || !(part in (node as Json))) return undefined;
    node = (node as Json)[part];
  }
  return node;
}

function schemaAt(ref: string): Json {
  return resolve(ref) as Json;
}

describe('OpenAPI document ↔ service routers', () => {
  const served = Object.values(serviceRouters).flatMap(registeredRoutes);

  it('the routers register routes (introspection works)', () => {
    expect(served.length).toBeGreaterThanOrEqual(20);
    expect(served).toContain('POST /api/v1/applications/{id}/consent/withdraw');
  });

  it('documents every route the services register', () => {
    expect(served.filter((route) => !documented.includes(route))).toEqual([]);
  });

  it('documents no route the services do not register', () => {
    expect(documented.filter((route) => !served.includes(route))).toEqual([]);
  });

  it('every documented route is forwarded by the gateway to the service that registers it', () => {
    for (const [service, router] of Object.entries(serviceRouters)) {
      for (const route of registeredRoutes(router)) {
        const path = route.split(' ')[1] ?? '';
        expect([route, upstreamFor(path.replace(/\{[^}]+\}/g, 'x'))]).toEqual([route, service]);
      }
    }
  });

  it('every route the services register has its own entry in the gateway route table (its metrics label)', () => {
    for (const [service, router] of Object.entries(serviceRouters)) {
      for (const route of registeredRoutes(router)) {
        const path = route.split(' ')[1] ?? '';
        const template = path.replace(/\{([^}]+)\}/g, ':$1');
        expect([route, matchRoute(path.replace(/\{[^}]+\}/g, 'x'))?.label]).toEqual([route, `${service}:${template}`]);
      }
    }
  });
});

describe('OpenAPI document shape', () => {
  it('is OpenAPI 3.1 with info, servers, bearer security and paths', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: '1.2.3' });
    expect(doc.servers).toEqual([{ url: '/api/v1' }]);
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect((doc.components as Json).securitySchemes).toEqual({ bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } });
    for (const path of Object.keys(paths)) expect(path).toMatch(/^\/[A-Za-z0-9/{}._-]*$/);
  });

  it('operationIds are present and unique', () => {
    const ids = operations.map(({ op }) => op.operationId);
    for (const id of ids) expect(typeof id).toBe('string');
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('every $ref resolves', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(10);
    expect(all.filter((ref) => resolve(ref) === undefined)).toEqual([]);
  });

  it('path templates and path parameters agree; every operation has responses', () => {
    for (const { key, path, op } of operations) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const declared = ((op.parameters ?? []) as Json[])
        .filter((p) => p.in === 'path')
        .map((p) => p.name as string)
        .sort();
      expect([key, declared]).toEqual([key, inPath]);
      for (const p of (op.parameters ?? []) as Json[]) if (p.in === 'path') expect(p.required).toBe(true);
      expect(Object.keys(op.responses as Json).length).toBeGreaterThan(0);
    }
  });

  it('only sign-up, login, refresh, logout and the platform status are public; everything else answers 401/403 as problem+json', () => {
    const open = operations.filter(({ op }) => Array.isArray(op.security) && (op.security as unknown[]).length === 0).map(({ key }) => key);
    expect(open.sort()).toEqual(['GET /status', 'POST /auth/login', 'POST /auth/logout', 'POST /auth/refresh', 'POST /auth/register']);
    for (const { key, op } of operations) {
      if (open.includes(key)) continue;
      const responses = op.responses as Json;
      expect([key, responses['401'], responses['403']]).toEqual([
        key,
        { $ref: '#/components/responses/Unauthorized' },
        { $ref: '#/components/responses/Forbidden' },
      ]);
    }
  });

  it('every 4xx/5xx answer is RFC 9457 problem+json', () => {
    for (const { op } of operations) {
      for (const [status, answer] of Object.entries(op.responses as Json)) {
        if (Number(status) < 400) continue;
        const target = (answer as Json).$ref ? (resolve((answer as Json).$ref as string) as Json) : (answer as Json);
        expect(Object.keys(target.content as Json)).toEqual(['application/problem+json']);
      }
    }
    expect(schemaAt('#/components/schemas/Problem')).toMatchObject({ required: ['type', 'title', 'status'] });
  });
});

describe('OpenAPI document matches the kyc API', () => {
  const op = (key: string): Json => operations.find((o) => o.key === key)?.op ?? {};
  const bodySchema = (key: string): Json => {
    const content = ((op(key).requestBody as Json | undefined)?.content ?? {}) as Record<string, { schema: Json }>;
    const schema = content['application/json']?.schema ?? {};
    return typeof schema.$ref === 'string' ? schemaAt(schema.$ref) : schema;
  };

  it('creating an application requires a consent', () => {
    expect(bodySchema('POST /applications')).toMatchObject({ required: ['consent'], additionalProperties: false });
    expect(op('POST /applications').responses).toHaveProperty('201');
  });

  it('submit answers 202; cancel is for the owner or an admin; consent withdrawal is documented', () => {
    expect(Object.keys(op('POST /applications/{id}/submit').responses as Json)).toContain('202');
    expect(op('POST /applications/{id}/submit').responses).not.toHaveProperty('200');
    expect(op('POST /applications/{id}/cancel').description).toMatch(/admin/);
    expect(op('POST /applications/{id}/consent/withdraw').operationId).toBe('withdrawConsent');
  });

  it('the review queue lists summaries', () => {
    const items = ((op('GET /review/queue').responses as Record<string, Json>)['200']?.content as Record<string, { schema: Json }>)[
      'application/json'
    ]?.schema;
    expect(JSON.stringify(items)).toContain('#/components/schemas/QueueItem');
  });

  it('each review action has its own body', () => {
    expect(bodySchema('POST /review/{id}/recommend')).toMatchObject({ required: ['recommendation'] });
    expect(bodySchema('POST /review/{id}/request-resubmission')).toMatchObject({ required: ['reason'] });
    expect(bodySchema('POST /review/{id}/approve')).not.toHaveProperty('required');
    expect(bodySchema('POST /review/{id}/reject')).toMatchObject({ required: ['reason'] });
    expect(bodySchema('POST /review/{id}/return')).toMatchObject({ required: ['reason'] });
  });

  it('auth bodies come from the zod schemas the auth service validates with', () => {
    expect(bodySchema('POST /auth/register')).toMatchObject({
      required: ['email', 'password'],
      additionalProperties: false,
      properties: { email: { format: 'email', maxLength: 254 }, password: { minLength: 12, maxLength: 128 } },
    });
    expect(bodySchema('POST /admin/users')).toMatchObject({
      required: ['email', 'password', 'role'],
      properties: { role: { enum: ['maker', 'checker', 'admin'] } },
    });
    // The schemas describe what the services accept and refuse.
    expect(registerBody.safeParse({ email: 'a@example.com', password: 'x'.repeat(12) }).success).toBe(true);
    expect(loginBody.safeParse({ email: 'a@example.com', password: 'p', extra: 1 }).success).toBe(false);
    expect(staffBody.safeParse({ email: 'a@example.com', password: 'x'.repeat(12), role: 'customer' }).success).toBe(false);
  });

  it('applicant updates use the kyc applicant schema (strict, any subset)', () => {
    const schema = bodySchema('PATCH /applications/{id}');
    expect(schema).toMatchObject({ additionalProperties: false, minProperties: 1 });
    expect(schema).not.toHaveProperty('required');
    expect(Object.keys(schema.properties as Json).sort()).toEqual([
      'aadhaar',
      'address',
      'ckycNumber',
      'dateOfBirth',
      'drivingLicence',
      'name',
      'pan',
      'passport',
      'voterId',
    ]);
    expect((schema.properties as Record<string, Json>).address).toMatchObject({ required: ['line1', 'city', 'state', 'pincode'] });
  });
});

describe('OpenAPI document examples', () => {
  type Media = { schema?: Json; example?: unknown; examples?: Record<string, { value: unknown }> };
  /** Every media type of every request and response, with where it is. */
  const media = operations.flatMap(({ key, op }) => {
    const request = Object.entries(((op.requestBody as Json | undefined)?.content ?? {}) as Record<string, Media>).map(
      ([type, m]) => [`${key} request ${type}`, type, m] as const,
    );
    const answers = Object.entries(op.responses as Record<string, Json>).flatMap(([status, answer]) => {
      const target = (answer.$ref ? resolve(answer.$ref as string) : answer) as Json;
      return Object.entries((target.content ?? {}) as Record<string, Media>).map(
        ([type, m]) => [`${key} ${status} ${type}`, type, m] as const,
      );
    });
    return [...request, ...answers];
  });

  /** Top-level fields: every one the schema requires is there, and none it does not name. */
  function fitsSchema(where: string, schema: Json, value: unknown): void {
    const keys = Object.keys(value as Json);
    const named = Object.keys(schema.properties ?? {});
    expect([where, keys.filter((k) => !named.includes(k))]).toEqual([where, []]);
    expect([where, ((schema.required ?? []) as string[]).filter((k) => !keys.includes(k))]).toEqual([where, []]);
  }

  it('every JSON request and response body has an example; only document downloads (bytes) have none', () => {
    expect(media.length).toBeGreaterThan(100);
    const without = media
      .filter(([, , m]) => m.example === undefined && Object.keys(m.examples ?? {}).length === 0)
      .map(([where, type]): [string, string] => [where, type]);
    expect(
      without.every(
        ([where, type]) => where.startsWith('GET /applications/{id}/documents/{documentId} 200') && type !== 'application/json',
      ),
    ).toBe(true);
  });

  it('each example has the fields its schema requires and no field it does not name', () => {
    for (const [where, , m] of media) {
      const schema = typeof m.schema?.$ref === 'string' ? schemaAt(m.schema.$ref) : (m.schema ?? {});
      const values = m.example !== undefined ? [m.example] : Object.values(m.examples ?? {}).map((e) => e.value);
      for (const value of values) {
        if (typeof value !== 'object' || value === null) continue;
        fitsSchema(where, schema, value);
        const listed = (schema.properties as Record<string, Json> | undefined)?.items?.items as Json | undefined;
        if (typeof listed?.$ref === 'string')
          for (const item of (value as { items: unknown[] }).items) fitsSchema(where, schemaAt(listed.$ref), item);
      }
    }
  });

  it('every problem example is a documented type answered with the status it is listed under', () => {
    const documented = new Map(PROBLEM_TYPES.map((type) => [problemTypeUri(type), type.status]));
    for (const [where, type, m] of media) {
      if (type !== 'application/problem+json') continue;
      const examples = Object.values(m.examples ?? {});
      expect([where, examples.length > 0]).toEqual([where, true]);
      const status = Number(where.split(' ')[2]);
      for (const { value } of examples) expect([where, documented.get((value as Json).type as string)]).toEqual([where, status]);
    }
  });

  it('every parameter has an example', () => {
    const parameters = operations.flatMap(({ key, op }) =>
      ((op.parameters ?? []) as Json[]).map((p) => [key, (p.$ref ? resolve(p.$ref as string) : p) as Json] as const),
    );
    expect(parameters.length).toBeGreaterThan(30);
    expect(parameters.filter(([, p]) => p.example === undefined).map(([key, p]) => `${key} ${String(p.name)}`)).toEqual([]);
  });

  it('the request examples pass the checks the services run on them', () => {
    expect(registerBody.safeParse(EXAMPLES.Register).success).toBe(true);
    expect(loginBody.safeParse(EXAMPLES.Login).success).toBe(true);
    expect(refreshBody.safeParse(EXAMPLES.RefreshToken).success).toBe(true);
    expect(staffBody.safeParse(EXAMPLES.StaffUser).success).toBe(true);
    expect(roleBody.safeParse(EXAMPLES.RoleChange).success).toBe(true);
    expect(validateConsent(EXAMPLES.CreateApplication)).toMatchObject({ ok: true });
    expect(validateApplicantPatch(EXAMPLES.ApplicantPatch, {}, new Date('2026-12-05T00:00:00Z'))).toMatchObject({ ok: true });
    expect(validateDocumentUpload(EXAMPLES.DocumentUpload)).toMatchObject({ ok: true });
    expect(webhookBody.safeParse(EXAMPLES.NewWebhook).success).toBe(true);
  });
});
