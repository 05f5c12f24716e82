// The API reference against what works: the typed client generated from the OpenAPI document
// (test/support/api, openapi-typescript + openapi-fetch) drives the real gateway in front of the real
// auth and kyc services (PostgreSQL, Redis, Kafka). Every answer is checked against the document the
// gateway serves: the fields it names are documented, the fields the document requires are there, and
// every error is problem+json of a documented type (docs/customer-api.md, docs/problems/).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROBLEM_TYPES, problemTypeUri } from '../../../workloads/shared/problem-types.js';
import { idempotent, kycApi } from '../../support/api/client.js';
import type { KycApi, Schemas } from '../../support/api/client.js';
import { PDF, PNG, VALID_APPLICANT, startKycHarness } from './kyc-support.js';
import type { KycHarness } from './kyc-support.js';
import { startAuthAndGateway } from './in-process-platform.js';
import type { InProcessPlatform } from './in-process-platform.js';
import { suffix } from './support.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CUSTOMER = { email: `reference-${suffix()}@example.com`, password: 'reference-customer-password-1' };
const CONSENT_BODY: Schemas['CreateApplication'] = { consent: { purposes: ['kyc_verification'], noticeVersion: 'privacy-2026.1' } };
const DOCUMENTED_TYPES = new Set(PROBLEM_TYPES.map(problemTypeUri));

type JsonSchema = { properties?: Record<string, unknown>; required?: string[] };

describe('the typed client generated from the OpenAPI document, against the real gateway', () => {
  let h: KycHarness;
  let platform: InProcessPlatform;
  let gatewayUrl = '';
  let document: { info: { version: string }; components: { schemas: Record<string, JsonSchema> } };
  let accessToken: string | undefined;
  let api: KycApi;
  let anonymous: KycApi;

  beforeAll(async () => {
    h = await startKycHarness();
    platform = await startAuthAndGateway(h);
    api = kycApi(platform.gateway.url, () => accessToken);
    anonymous = kycApi(platform.gateway.url);
    gatewayUrl = platform.gateway.url;
  }, 90_000);

  afterAll(async () => {
    await platform?.close();
    await h?.close();
  }, 60_000);

  /** `body` carries every field its schema requires and only fields its schema names. */
  function matchesSchema(schemaName: string, body: unknown): void {
    const schema = document.components.schemas[schemaName] ?? {};
    const keys = Object.keys(body as object);
    expect([schemaName, keys.filter((key) => !(key in (schema.properties ?? {})))]).toEqual([schemaName, []]);
    expect([schemaName, (schema.required ?? []).filter((key) => !keys.includes(key))]).toEqual([schemaName, []]);
  }

  /** A problem+json answer of a documented type. */
  function documentedProblem(error: Schemas['Problem'] | undefined, response: Response, type: string): void {
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(error?.type).toBe(type);
    expect(DOCUMENTED_TYPES.has(error?.type ?? '')).toBe(true);
    matchesSchema('Problem', error);
  }

  it('the gateway serves the committed document (docs/openapi.json) under its own version, and the reference page, without a token', async () => {
    const served = await fetch(`${gatewayUrl}/api/v1/openapi.json`);
    expect(served.status).toBe(200);
    document = (await served.json()) as typeof document;
    const committed = JSON.parse(readFileSync(path.join(REPO, 'docs/openapi.json'), 'utf8')) as typeof document;
    expect({ ...document, info: { ...document.info, version: committed.info.version } }).toEqual(committed);

    const page = await fetch(`${gatewayUrl}/api/v1/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${gatewayUrl}/api/v1/docs/redoc.standalone.js`)).status).toBe(200);
  });

  it('a customer signs up, signs in and reads who they are: the answers are the documented shapes', async () => {
    const registered = await anonymous.POST('/auth/register', { body: CUSTOMER, params: idempotent() });
    expect(registered.response.status).toBe(202);
    matchesSchema('RegistrationAccepted', registered.data);

    // Another account's failed sign-in: a failed attempt slows down further ones for the same account.
    const wrong = await anonymous.POST('/auth/login', {
      body: { email: `nobody-${suffix()}@example.com`, password: 'not-the-password-1' },
    });
    expect(wrong.response.status).toBe(401);
    documentedProblem(wrong.error, wrong.response, 'https://kyc.dev/problems/unauthorized');

    const tokens = await anonymous.POST('/auth/login', { body: CUSTOMER });
    expect(tokens.response.status).toBe(200);
    matchesSchema('Tokens', tokens.data);
    matchesSchema('User', tokens.data?.user);
    accessToken = tokens.data?.accessToken;

    const me = await api.GET('/auth/me');
    expect([me.response.status, me.data?.email, me.data?.role]).toEqual([200, CUSTOMER.email, 'customer']);
  });

  it('the application lifecycle through the client: draft → applicant data → documents → submitted; refusals carry their documented type', async () => {
    const key = idempotent();
    const created = await api.POST('/applications', { body: CONSENT_BODY, params: key });
    expect([created.response.status, created.data?.state]).toEqual([201, 'draft']);
    matchesSchema('Application', created.data);
    const id = created.data?.id ?? '';
    const at = { path: { id } };

    // The same key and body again: the first answer, replayed.
    const replayed = await api.POST('/applications', { body: CONSENT_BODY, params: key });
    expect([replayed.response.status, replayed.data?.id, replayed.response.headers.get('idempotent-replayed')]).toEqual([201, id, 'true']);
    const reused = await api.POST('/applications', {
      body: { consent: { ...CONSENT_BODY.consent, noticeVersion: 'privacy-2026.2' } },
      params: key,
    });
    expect(reused.response.status).toBe(422);
    documentedProblem(reused.error, reused.response, 'https://kyc.dev/problems/idempotency-key-reused');

    const invalid = await api.PATCH('/applications/{id}', { params: { ...at, ...idempotent() }, body: { pan: 'ABC' } });
    expect([invalid.response.status, invalid.error?.field]).toEqual([422, 'pan']);
    documentedProblem(invalid.error, invalid.response, 'https://kyc.dev/problems/validation');

    const patched = await api.PATCH('/applications/{id}', { params: { ...at, ...idempotent() }, body: VALID_APPLICANT });
    expect(patched.response.status).toBe(200);
    matchesSchema('Application', patched.data);
    for (const document of [
      { type: 'passport', contentType: 'application/pdf', content: PDF.toString('base64') },
      { type: 'pan_card', contentType: 'image/png', content: PNG.toString('base64') },
    ] as const) {
      const uploaded = await api.POST('/applications/{id}/documents', { params: { ...at, ...idempotent() }, body: document });
      expect(uploaded.response.status).toBe(201);
      matchesSchema('Document', uploaded.data);
    }

    const submitted = await api.POST('/applications/{id}/submit', { params: { ...at, ...idempotent() } });
    expect([submitted.response.status, submitted.data?.state]).toEqual([202, 'submitted']);

    const late = await api.PATCH('/applications/{id}', { params: { ...at, ...idempotent() }, body: { name: 'Kavya R' } });
    expect(late.response.status).toBe(409);
    documentedProblem(late.error, late.response, 'https://kyc.dev/problems/invalid-state-transition');

    const read = await api.GET('/applications/{id}', { params: at });
    expect([read.response.status, read.data?.id, read.data?.documents?.length]).toEqual([200, id, 2]);
    matchesSchema('Application', read.data);

    const stranger = await anonymous.GET('/applications/{id}', { params: at });
    expect(stranger.response.status).toBe(401);
    documentedProblem(stranger.error, stranger.response, 'https://kyc.dev/problems/unauthorized');
    const missing = await api.GET('/applications/{id}', { params: { path: { id: 'no-such-application' } } });
    expect(missing.response.status).toBe(404);
    documentedProblem(missing.error, missing.response, 'https://kyc.dev/problems/not-found');
  });

  it('the platform status is public and documented', async () => {
    const status = await anonymous.GET('/status');
    expect([status.response.status, status.data?.mode]).toEqual([200, 'Normal']);
    matchesSchema('PlatformStatus', status.data);
  });
});
