// The public API (OpenAPI 3.1) served at /api/v1/openapi.json. Every route the gateway forwards is
// described here; upstreams own the behaviour, this document is the contract clients read. Request
// schemas come from the zod schemas the services validate with where they have one; the kyc bodies
// that are checked by hand are written out from the same constants. openapi.test.ts compares the
// paths with the routes the services' routers register.
import { z } from 'zod';
import { listQuery, loginBody, refreshBody, registerBody, roleBody, staffBody } from '../auth/entry-points/routes.js';
import { summaryQuery } from '../analytics/entry-points/routes.js';
import { applicantPatchSchema } from '../kyc/domain/applicant.js';
import { APPLICATION_STATES } from '../kyc/domain/application-state.js';
import type { ApplicationState } from '../kyc/domain/application-state.js';
import { CONSENT_PURPOSES } from '../kyc/domain/consent.js';
import { CONTENT_TYPES, DOCUMENT_TYPES, MAX_DOCUMENT_BYTES } from '../kyc/domain/documents.js';
import { RELATIONSHIP_END_REASONS } from '../kyc/domain/relationship-end.js';
import { contactBody, notificationsQuery } from '../notification/entry-points/routes.js';
import { redeliverBody, webhookBody } from '../notification/entry-points/webhook-routes.js';
import { PING_EVENT, WEBHOOK_EVENT_TYPES } from '../notification/domain/webhooks.js';
import { PROBLEM_TYPES, problemTypeUri } from '../shared/problem-types.js';
import { EXAMPLES, PARAMETER_EXAMPLES, applicationExample } from './openapi-examples.js';
import type { ProblemType } from '../shared/problem-types.js';

/**
 * A request schema in JSON Schema 2020-12, the dialect of OpenAPI 3.1. `io: 'input'` describes what a
 * client sends: a defaulted field may be left out and a transformed one is shown by what it accepts.
 * The document declares its dialect once, so each schema drops its own `$schema`.
 */
function requestSchema(schema: z.ZodType): Record<string, unknown> {
  const json: Record<string, unknown> = z.toJSONSchema(schema, { io: 'input' });
  delete json.$schema;
  return json;
}

/** Query parameters (OpenAPI `in: query`), one per field of a zod object of query fields. */
function queryParameters(schema: z.ZodObject): object[] {
  const { properties = {}, required = [] } = requestSchema(schema) as { properties?: Record<string, object>; required?: string[] };
  // A query parameter's example is its default (what the API uses when it is left out), else its first value.
  return Object.entries(properties).map(([name, field]) => {
    const { default: fallback, enum: values } = field as { default?: unknown; enum?: unknown[] };
    const example = fallback ?? values?.[0];
    return { name, in: 'query', required: required.includes(name), schema: field, ...(example !== undefined && { example }) };
  });
}

/** An example answer of a problem type, as a client receives it (docs/problems/<slug>.md). */
export function problemExample(type: ProblemType): Record<string, unknown> {
  return {
    type: problemTypeUri(type),
    title: type.title,
    status: type.status,
    ...type.example,
    instance: '/api/v1/applications/0b6f3c9e-2f4d-4b7a-9a51-6c1f0e8d2a47',
    requestId: '5f0c2a7e-8b1d-4c3e-9f6a-2d7b1e0c4a93',
  };
}

/** A problem answer with an example of every problem type that comes with `status`. */
const problem = (status: number, description: string): object => ({
  description,
  content: {
    'application/problem+json': {
      schema: ref('Problem'),
      examples: Object.fromEntries(
        PROBLEM_TYPES.filter((type) => type.status === status).map((type) => [
          type.slug,
          { summary: type.title, value: problemExample(type) },
        ]),
      ),
    },
  },
});

/** The problem types as a table for the reference's introduction. */
const problemTypeTable = (): string =>
  [
    '| type (`https://kyc.dev/problems/…`) | status | when | retry |',
    '| --- | --- | --- | --- |',
    ...PROBLEM_TYPES.map((type) => `| \`${type.slug}\` | ${type.status} | ${type.when.replace(/\|/g, '\\|')} | ${type.retry} |`),
  ].join('\n');
const ref = (name: string): object => ({ $ref: `#/components/schemas/${name}` });
const refName = (schema: object | undefined): string | undefined => {
  const pointer = (schema as { $ref?: string } | undefined)?.$ref;
  return pointer?.startsWith('#/components/schemas/') ? pointer.slice('#/components/schemas/'.length) : undefined;
};
/** The example of a body schema: a named schema's (openapi-examples.ts), or a list of one of them. */
function exampleOf(schema: object): unknown {
  const name = refName(schema);
  if (name !== undefined) return EXAMPLES[name];
  const listed = refName((schema as { properties?: { items?: { items?: object } } }).properties?.items?.items);
  return listed !== undefined ? { items: [EXAMPLES[listed]] } : undefined;
}
const json = (schema: object, example: unknown = exampleOf(schema)): object => ({
  'application/json': { schema, ...(example !== undefined && { example }) },
});
const response = (name: string): object => ({ $ref: `#/components/responses/${name}` });
const idParam = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', maxLength: 64 },
  example: PARAMETER_EXAMPLES.applicationId,
};
const customerIdParam = {
  name: 'customerId',
  in: 'path',
  required: true,
  schema: { type: 'string', maxLength: 128 },
  example: PARAMETER_EXAMPLES.customerId,
};
const idempotencyKey = { $ref: '#/components/parameters/IdempotencyKey' };
const items = (schema: object): object => ({
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', items: schema } },
});

/** A page of a keyset-paged list (shared/paging.ts): its items and the cursor of the next page. */
const cursorPage = (schema: object): object => ({
  type: 'object',
  required: ['items'],
  properties: {
    items: { type: 'array', items: schema },
    next: { type: 'string', format: 'uuid', description: 'Pass as `after` for the next page; absent on the last page' },
  },
});

interface OperationOptions {
  operationId: string;
  tags: string[];
  roles?: string[];
  body?: object;
  /** The success status, its JSON body schema and, where the schema's own would mislead, its example. */
  ok?: [string, object?, unknown?];
  okContent?: object;
  params?: object[];
  isPublic?: boolean;
  /** POST/PATCH: accepts an Idempotency-Key. */
  write?: boolean;
  /** Extra problem statuses this operation can answer with. */
  errors?: string[];
}

const STANDARD_ERRORS: Record<string, string> = {
  '400': 'BadRequest',
  '401': 'Unauthorized',
  '403': 'Forbidden',
  '404': 'NotFound',
  '409': 'Conflict',
  '413': 'PayloadTooLarge',
  '422': 'UnprocessableContent',
  '429': 'TooManyRequests',
  '503': 'Unavailable',
};

function operation(summary: string, options: OperationOptions): object {
  const [status, schema, example] = options.ok ?? ['200', undefined, undefined];
  const validates = options.write === true || (options.params ?? []).some((p) => (p as { in?: string }).in === 'query');
  const statuses = new Set([
    '400',
    ...(options.isPublic ? [] : ['401', '403']),
    ...(options.body ? ['413'] : []),
    ...(validates ? ['422'] : []),
    '429',
    '503',
    ...(options.errors ?? []),
  ]);
  return {
    operationId: options.operationId,
    summary,
    tags: options.tags,
    ...(options.roles && { description: `Roles: ${options.roles.join(', ')}.` }),
    ...(options.isPublic ? { security: [] } : {}),
    parameters: [...(options.params ?? []), ...(options.write ? [idempotencyKey] : [])],
    ...(options.body && { requestBody: { required: true, content: json(options.body) } }),
    responses: {
      [status]: {
        description: 'success',
        ...(options.okContent ? { content: options.okContent } : schema ? { content: json(schema, example ?? exampleOf(schema)) } : {}),
      },
      ...Object.fromEntries([...statuses].sort().map((code) => [code, response(STANDARD_ERRORS[code] ?? 'BadRequest')])),
    },
  };
}

const documentTypes = { type: 'string', enum: [...DOCUMENT_TYPES] };
const reviewText = { type: 'string', minLength: 1, maxLength: 1000 };
/** An application answer, its example in the state the operation leaves it in. */
const applicationResult = (status: string, state?: ApplicationState): [string, object, unknown] => [
  status,
  ref('Application'),
  applicationExample(state),
];

const tags = (tag: string): string[] => [tag];
const webhookSchema = {
  type: 'object',
  required: ['id', 'url', 'eventTypes', 'createdBy', 'createdAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    url: { type: 'string', format: 'uri' },
    eventTypes: { type: 'array', items: { type: 'string', enum: [...WEBHOOK_EVENT_TYPES] } },
    description: { type: 'string' },
    createdBy: { type: 'string', description: 'the admin who registered it' },
    createdAt: { type: 'string', format: 'date-time' },
  },
};
const staffRead = ['customer (own)', 'maker', 'checker', 'admin'];

const reviewActions = [
  [
    'recommend',
    'reviewRecommend',
    'Recommend approval or rejection (maker) → pending_approval',
    'maker',
    'Recommendation',
    'pending_approval',
  ],
  [
    'request-resubmission',
    'reviewRequestResubmission',
    'Ask the applicant to resubmit (maker) → resubmission_required',
    'maker',
    'ResubmissionRequest',
    'resubmission_required',
  ],
  ['approve', 'reviewApprove', 'Approve (checker; never the maker who recommended) → approved', 'checker', 'Approval', 'approved'],
  ['reject', 'reviewReject', 'Reject (checker; never the maker who recommended) → rejected', 'checker', 'CheckerReason', 'rejected'],
  [
    'return',
    'reviewReturn',
    'Return to the maker (checker; never the maker who recommended) → pending_review',
    'checker',
    'CheckerReason',
    'pending_review',
  ],
] as const;

export function openApiDocument(version: string): object {
  return {
    openapi: '3.1.0',
    info: {
      title: 'KYC platform API',
      version,
      description: [
        'Customer sign-up and KYC applications, reviewer queue with maker-checker approval, and analytics. ' +
          'Every POST and PATCH accepts an Idempotency-Key. The customer guide is `docs/customer-api.md` in the repository.',
        '## Errors',
        'Every error is an RFC 9457 `application/problem+json` answer. Tell errors apart by `type`, never by `title` or `detail` ' +
          '(their words may change); `field` names the offending field. Each type has a page, `docs/problems/<type>.md` in the repository.',
        problemTypeTable(),
      ].join('\n\n'),
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    paths: {
      '/auth/register': {
        post: operation('Create a customer account (the same 202 whether or not the email already has one)', {
          operationId: 'authRegister',
          tags: tags('auth'),
          isPublic: true,
          write: true,
          body: ref('Register'),
          ok: ['202', ref('RegistrationAccepted')],
        }),
      },
      '/auth/login': {
        post: operation('Log in: an access token (15 min) and a refresh token', {
          operationId: 'authLogin',
          tags: tags('auth'),
          isPublic: true,
          write: true,
          body: ref('Login'),
          ok: ['200', ref('Tokens')],
          errors: ['401'],
        }),
      },
      '/auth/refresh': {
        post: operation('Swap a refresh token for new tokens (rotation; reuse revokes the login)', {
          operationId: 'authRefresh',
          tags: tags('auth'),
          isPublic: true,
          write: true,
          body: ref('RefreshToken'),
          ok: ['200', ref('Tokens')],
          errors: ['401'],
        }),
      },
      '/auth/logout': {
        post: operation('Revoke a refresh token and its login', {
          operationId: 'authLogout',
          tags: tags('auth'),
          isPublic: true,
          write: true,
          body: ref('RefreshToken'),
          ok: ['204'],
        }),
      },
      '/auth/me': { get: operation('The caller', { operationId: 'authMe', tags: tags('auth'), roles: ['any'], ok: ['200', ref('User')] }) },
      '/admin/users': {
        post: operation('Create a staff user (maker, checker, admin)', {
          operationId: 'adminCreateUser',
          tags: tags('admin'),
          roles: ['admin'],
          write: true,
          body: ref('StaffUser'),
          ok: ['201', ref('User')],
          errors: ['409'],
        }),
        get: operation('List users, newest first, a page after another (`after`: the `next` of the page before)', {
          operationId: 'adminListUsers',
          tags: tags('admin'),
          roles: ['admin'],
          // The cursor has no default to show: its example is a user id, as the `next` of a page is.
          params: queryParameters(listQuery).map((param) =>
            (param as { name: string }).name === 'after'
              ? {
                  ...param,
                  description: 'The `next` of the previous page: the page after that user, in the same order',
                  example: PARAMETER_EXAMPLES.userId,
                }
              : param,
          ),
          ok: ['200', cursorPage(ref('User'))],
        }),
      },
      '/admin/users/{id}/role': {
        post: operation(
          'Change a user’s role: their sign-ins end and their access tokens stop working within seconds (never one’s own, never the last admin’s; audited)',
          {
            operationId: 'adminChangeRole',
            tags: tags('admin'),
            roles: ['admin'],
            params: [{ ...idParam, example: PARAMETER_EXAMPLES.userId }],
            write: true,
            body: ref('RoleChange'),
            ok: ['200', ref('User')],
            errors: ['404', '409'],
          },
        ),
      },
      ...Object.fromEntries(
        (
          [
            [
              'disable',
              'adminDisableUser',
              'Disable an account: it cannot sign in, its sign-ins end and its access tokens stop working within seconds',
            ],
            [
              'enable',
              'adminEnableUser',
              'Enable a disabled account again (409 if its staff id holds another active review role meanwhile)',
            ],
          ] as const
        ).map(([action, operationId, summary]) => [
          `/admin/users/{id}/${action}`,
          {
            post: operation(summary, {
              operationId,
              tags: tags('admin'),
              roles: ['admin (never on their own account)'],
              params: [{ ...idParam, example: PARAMETER_EXAMPLES.userId }],
              write: true,
              ok: ['200', ref('User')],
              errors: ['404', '409'],
            }),
          },
        ]),
      ),
      '/applications': {
        post: operation('Start a KYC application (draft) with the applicant’s consent', {
          operationId: 'createApplication',
          tags: tags('applications'),
          roles: ['customer'],
          write: true,
          body: ref('CreateApplication'),
          ok: applicationResult('201', 'draft'),
        }),
      },
      '/applications/{id}': {
        get: operation('An application (masked identity numbers; staff also see findings and history)', {
          operationId: 'getApplication',
          tags: tags('applications'),
          roles: staffRead,
          params: [idParam],
          ok: applicationResult('200', 'pending_review'),
          errors: ['404'],
        }),
        patch: operation('Update applicant data (draft or resubmission_required; any subset)', {
          operationId: 'updateApplicant',
          tags: tags('applications'),
          roles: ['customer (own)'],
          params: [idParam],
          write: true,
          body: ref('ApplicantPatch'),
          ok: applicationResult('200', 'draft'),
          errors: ['404', '409'],
        }),
      },
      '/applications/{id}/documents': {
        post: operation(`Upload a document (PDF/JPEG/PNG, at most ${MAX_DOCUMENT_BYTES} bytes)`, {
          operationId: 'uploadDocument',
          tags: tags('documents'),
          roles: ['customer (own)'],
          params: [idParam],
          write: true,
          body: ref('DocumentUpload'),
          ok: ['201', ref('Document')],
          errors: ['404', '409', '413'],
        }),
      },
      '/applications/{id}/documents/{documentId}': {
        get: operation('A document: the decrypted bytes as an attachment (audited)', {
          operationId: 'getDocument',
          tags: tags('documents'),
          roles: staffRead,
          params: [
            idParam,
            {
              name: 'documentId',
              in: 'path',
              required: true,
              schema: { type: 'string', maxLength: 64 },
              example: PARAMETER_EXAMPLES.documentId,
            },
          ],
          ok: ['200'],
          okContent: Object.fromEntries(CONTENT_TYPES.map((type) => [type, { schema: { type: 'string', contentMediaType: type } }])),
          errors: ['404'],
        }),
      },
      '/applications/{id}/submit': {
        post: operation('Submit for automatic checks and review; the checks run asynchronously', {
          operationId: 'submitApplication',
          tags: tags('applications'),
          roles: ['customer (own)'],
          params: [idParam],
          write: true,
          ok: applicationResult('202', 'submitted'),
          errors: ['404', '409'],
        }),
      },
      '/applications/{id}/cancel': {
        post: operation('Cancel an open application', {
          operationId: 'cancelApplication',
          tags: tags('applications'),
          roles: ['customer (own)', 'admin'],
          params: [idParam],
          write: true,
          ok: applicationResult('200', 'cancelled'),
          errors: ['404', '409'],
        }),
      },
      '/applications/{id}/consent/withdraw': {
        post: operation('Withdraw consent (DPDP Act): an open application is cancelled; records are kept for the retention period', {
          operationId: 'withdrawConsent',
          tags: tags('applications'),
          roles: ['customer (own)'],
          params: [idParam],
          write: true,
          ok: applicationResult('200', 'cancelled'),
          errors: ['404', '409'],
        }),
      },
      // DPDP erasure (docs/retention.md): what may go goes, KYC records are kept five years and marked.
      '/erasure-requests': {
        post: operation(
          "Ask for the erasure of a customer's personal data (DPDP Act): rejected, expired and cancelled applications are erased now, approved ones (KYC records) kept 5 years and erased then; 409 while an application is open",
          {
            operationId: 'requestErasure',
            tags: tags('erasure'),
            roles: ['customer (own)', 'admin (names customerId)'],
            body: ref('ErasureRequestBody'),
            write: true,
            ok: ['201', ref('ErasureRequest')],
            errors: ['409'],
          },
        ),
      },
      '/erasure-requests/{id}': {
        get: operation('An erasure request and its outcome: which applications were erased, which are kept until when and why', {
          operationId: 'getErasureRequest',
          tags: tags('erasure'),
          roles: ['customer (own)', 'admin'],
          params: [{ ...idParam, example: PARAMETER_EXAMPLES.erasureRequestId }],
          ok: ['200', ref('ErasureRequest')],
          errors: ['404'],
        }),
      },
      '/legal-holds/{customerId}': {
        put: operation(
          "Place (or replace) a legal hold on a customer: erasure requests are refused and the retention sweeps pass the customer's applications by until it is released",
          {
            operationId: 'placeLegalHold',
            tags: tags('erasure'),
            roles: ['admin'],
            params: [customerIdParam],
            body: ref('LegalHoldBody'),
            write: true,
            ok: ['200', ref('LegalHold')],
          },
        ),
        delete: operation('Release the legal hold on a customer', {
          operationId: 'releaseLegalHold',
          tags: tags('erasure'),
          roles: ['admin'],
          params: [customerIdParam],
          ok: ['204'],
          errors: ['404'],
        }),
      },
      '/customers/{customerId}/relationship-end': {
        post: operation(
          "The bank's systems say a customer relationship ended (an account closure): each approved application of it is kept five years after that day, then erased by the retention sweep (a legal hold still stops it). Idempotent: a repeat or a later day changes nothing, an earlier day brings the date forward",
          {
            operationId: 'endCustomerRelationship',
            tags: tags('erasure'),
            roles: ['admin'],
            params: [customerIdParam],
            body: ref('RelationshipEndBody'),
            write: true,
            ok: ['200', ref('RelationshipEnd')],
            errors: ['404', '409'],
          },
        ),
      },
      '/review/queue': {
        get: operation('Applications waiting for a maker or checker (summaries, oldest first)', {
          operationId: 'reviewQueue',
          tags: tags('review'),
          roles: ['maker (default pending_review)', 'checker (default pending_approval)', 'admin (both)'],
          params: [
            {
              name: 'state',
              in: 'query',
              required: false,
              schema: { type: 'string', enum: ['pending_review', 'pending_approval'] },
              example: 'pending_review',
            },
            {
              name: 'limit',
              in: 'query',
              required: false,
              schema: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
              example: 50,
            },
            {
              name: 'after',
              in: 'query',
              required: false,
              description: 'The `next` of the previous page: the page after that application, in the same order',
              schema: { type: 'string', format: 'uuid' },
              example: PARAMETER_EXAMPLES.applicationId,
            },
          ],
          ok: ['200', cursorPage(ref('QueueItem'))],
        }),
      },
      ...Object.fromEntries(
        reviewActions.map(([action, operationId, summary, role, body, state]) => [
          `/review/{id}/${action}`,
          {
            post: operation(summary, {
              operationId,
              tags: tags('review'),
              roles: [role],
              params: [idParam],
              write: true,
              body: ref(body),
              ok: applicationResult('200', state),
              errors: ['404', '409'],
            }),
          },
        ]),
      ),
      '/notifications': {
        get: operation("The caller's notifications (admin: everyone's)", {
          operationId: 'listNotifications',
          tags: tags('notifications'),
          roles: ['customer (own)', 'admin'],
          params: queryParameters(notificationsQuery),
          ok: ['200', items(ref('Notification'))],
        }),
      },
      '/notifications/contact': {
        put: operation("Set or remove the caller's e-mail address and phone number for notifications (kept encrypted, never read back)", {
          operationId: 'setNotificationContact',
          tags: tags('notifications'),
          roles: ['customer (own)'],
          body: ref('NotificationContact'),
          ok: ['204'],
          errors: ['422'],
        }),
      },
      // Outbound webhooks for integrators (docs/customer-api.md, "Webhooks"): admins only, like staff accounts.
      '/notifications/webhooks': {
        post: operation(
          'Register a webhook: an https URL that receives signed application state changes. The answer holds the signing secret, shown this once',
          {
            operationId: 'createWebhook',
            tags: tags('webhooks'),
            roles: ['admin'],
            body: ref('NewWebhook'),
            ok: ['201', ref('CreatedWebhook')],
            errors: ['422'],
          },
        ),
        get: operation('List the webhooks (never their secrets)', {
          operationId: 'listWebhooks',
          tags: tags('webhooks'),
          roles: ['admin'],
          ok: ['200', items(ref('Webhook'))],
        }),
      },
      '/notifications/webhooks/{id}': {
        delete: operation('Delete a webhook; its pending deliveries are not sent', {
          operationId: 'deleteWebhook',
          tags: tags('webhooks'),
          roles: ['admin'],
          params: [{ ...idParam, example: PARAMETER_EXAMPLES.webhookId }],
          ok: ['204'],
          errors: ['404'],
        }),
      },
      '/notifications/webhooks/{id}/ping': {
        post: operation(`Send the webhook a signed \`${PING_EVENT}\` through the delivery queue`, {
          operationId: 'pingWebhook',
          tags: tags('webhooks'),
          roles: ['admin'],
          params: [{ ...idParam, example: PARAMETER_EXAMPLES.webhookId }],
          ok: ['202', ref('WebhookPing')],
          errors: ['404'],
        }),
      },
      '/notifications/webhooks/{id}/dead-deliveries': {
        get: operation('The webhook deliveries given up on after every try, the latest failure first (at most 100)', {
          operationId: 'listDeadWebhookDeliveries',
          tags: tags('webhooks'),
          roles: ['admin'],
          params: [{ ...idParam, example: PARAMETER_EXAMPLES.webhookId }],
          ok: ['200', { type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('DeadWebhookDelivery') } } }],
          errors: ['404'],
        }),
      },
      '/notifications/webhooks/{id}/redeliver': {
        post: operation(
          'Send dead deliveries again (all of the webhook, or those listed): each is due now with its tries counted afresh, under its first webhook-id',
          {
            operationId: 'redeliverDeadWebhookDeliveries',
            tags: tags('webhooks'),
            roles: ['admin'],
            params: [{ ...idParam, example: PARAMETER_EXAMPLES.webhookId }],
            body: ref('WebhookRedelivery'),
            write: true,
            ok: ['202', ref('WebhookRedelivered')],
            errors: ['404'],
          },
        ),
      },
      // The gateway's own: public, and served in every mode (docs/api.md, "Degradation").
      '/status': {
        get: {
          operationId: 'platformStatus',
          summary: 'The mode the platform runs in and the features it has reduced (no token; answered even in Maintenance)',
          tags: tags('status'),
          security: [],
          parameters: [],
          responses: { '200': { description: 'success', content: json(ref('PlatformStatus')) } },
        },
      },
      '/analytics/summary': {
        get: operation(
          'Event counts by type and day, the applications funnel and the decisions report (turnaround p50/p90, resubmissions, SLA breaches)',
          {
            operationId: 'analyticsSummary',
            tags: tags('analytics'),
            roles: ['admin'],
            params: queryParameters(summaryQuery),
            ok: ['200', ref('AnalyticsSummary')],
          },
        ),
      },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Same key + same body replays the first response (Idempotent-Replayed: true); same key + a different body is a 422; while the first is running, 409. Kept 24 h, per user.',
          schema: { type: 'string', minLength: 1, maxLength: 255 },
          example: PARAMETER_EXAMPLES.idempotencyKey,
        },
      },
      responses: {
        BadRequest: problem(400, 'Bad request: the body is not valid JSON, or a malformed header'),
        Unauthorized: problem(401, 'No valid access token (or wrong credentials / refresh token)'),
        Forbidden: problem(403, 'The caller’s role may not do this (maker-checker: a checker may not decide what they recommended)'),
        NotFound: problem(404, 'No such resource, or not the caller’s'),
        Conflict: problem(
          409,
          'Not allowed in the current state (…/invalid-state-transition), a limit reached (…/limit-reached), or the same Idempotency-Key still in progress (…/idempotency-key-in-progress)',
        ),
        PayloadTooLarge: problem(413, 'The body is too large'),
        UnprocessableContent: problem(
          422,
          'Validation failed (…/validation: field and errors[] name the offending fields), or an Idempotency-Key reused with a different body (…/idempotency-key-reused)',
        ),
        TooManyRequests: problem(429, 'Rate limited (Retry-After)'),
        Unavailable: {
          ...problem(
            503,
            'Temporarily unavailable, with Retry-After: an upstream or a dependency is away or its breaker is open (type …/temporarily-unavailable), ' +
              'a feature is switched off, or the platform is in a reduced mode (type …/read-only-mode: writes refused; …/maintenance: everything but GET /status refused)',
          ),
          headers: {
            'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } },
            'KYC-Service-Mode': {
              description: 'Present while a reduced mode is in force (on every answer, not only refusals): ReadOnly or Maintenance',
              schema: { type: 'string', enum: ['ReadOnly', 'Maintenance'] },
            },
          },
        },
      },
      schemas: {
        PlatformStatus: {
          type: 'object',
          required: ['mode', 'reducedFeatures', 'version'],
          properties: {
            mode: {
              type: 'string',
              enum: ['Normal', 'ReadOnly', 'Maintenance'],
              description: 'Normal; ReadOnly: reads served, writes answer 503; Maintenance: every request but this one answers 503',
            },
            reducedFeatures: {
              type: 'array',
              items: { type: 'string' },
              description:
                'What is reduced now: writes (ReadOnly) or api (Maintenance), then the features switched off, by flag name (new-applications, document-upload, ...), then what cannot be served at the moment (applications, accounts, notifications, analytics: a service without a ready instance, or whose database, cache or event bus is down)',
            },
            version: { type: 'string', description: 'The platform version the gateway runs' },
          },
        },
        Problem: {
          type: 'object',
          description: 'RFC 9457 problem details',
          required: ['type', 'title', 'status'],
          properties: {
            type: {
              type: 'string',
              format: 'uri-reference',
              description:
                'What went wrong, for a program to act on: https://kyc.dev/problems/<slug>, one of the types in the introduction',
              examples: PROBLEM_TYPES.slice(0, 3).map(problemTypeUri),
            },
            title: { type: 'string' },
            status: { type: 'integer', minimum: 400, maximum: 599 },
            detail: { type: 'string' },
            instance: { type: 'string' },
            field: { type: 'string', description: 'the offending field (body path, query.<name> or header name)' },
            errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, detail: { type: 'string' } } } },
            requestId: { type: 'string' },
            upstream: { type: 'string', description: 'temporarily-unavailable from the gateway: the service that could not answer' },
            mode: { type: 'string', enum: ['ReadOnly', 'Maintenance'], description: 'read-only-mode and maintenance: the mode in force' },
          },
        },
        Register: requestSchema(registerBody),
        Login: requestSchema(loginBody),
        RefreshToken: requestSchema(refreshBody),
        StaffUser: requestSchema(staffBody),
        RoleChange: requestSchema(roleBody),
        RegistrationAccepted: {
          type: 'object',
          required: ['status', 'detail'],
          properties: { status: { const: 'accepted' }, detail: { type: 'string' } },
        },
        User: {
          type: 'object',
          required: ['id', 'email', 'role'],
          properties: {
            id: { type: 'string', format: 'uuid' },
            email: { type: 'string' },
            role: { type: 'string', enum: ['customer', 'maker', 'checker', 'admin'] },
            name: { type: 'string' },
            staffId: { type: 'string' },
            disabled: { const: true, description: 'Present only on a disabled account: it cannot sign in' },
          },
        },
        Tokens: {
          type: 'object',
          required: ['accessToken', 'refreshToken', 'tokenType', 'expiresIn', 'user'],
          properties: {
            accessToken: { type: 'string' },
            refreshToken: { type: 'string' },
            tokenType: { const: 'Bearer' },
            expiresIn: { type: 'integer' },
            user: ref('User'),
          },
        },
        CreateApplication: {
          type: 'object',
          required: ['consent'],
          additionalProperties: false,
          properties: {
            consent: {
              type: 'object',
              required: ['purposes', 'noticeVersion'],
              additionalProperties: false,
              properties: {
                purposes: {
                  type: 'array',
                  minItems: 1,
                  maxItems: CONSENT_PURPOSES.length,
                  items: { type: 'string', enum: [...CONSENT_PURPOSES] },
                  contains: { const: 'kyc_verification' },
                },
                noticeVersion: {
                  type: 'string',
                  pattern: '^[A-Za-z0-9._-]{1,50}$',
                  description: 'the privacy notice version shown to the applicant',
                },
              },
            },
          },
        },
        ApplicantPatch: {
          ...requestSchema(applicantPatchSchema),
          minProperties: 1,
          description:
            'Any subset. PAN AAAPA9999A (individual); Aadhaar 12 digits with a Verhoeff check digit, kept only as a vault token + last 4; dateOfBirth YYYY-MM-DD, age 18-120.',
        },
        Application: {
          type: 'object',
          required: [
            'id',
            'state',
            'ownerId',
            'createdAt',
            'updatedAt',
            'submittedAt',
            'decidedAt',
            'expiresAt',
            'applicant',
            'documents',
            'consents',
            'review',
            'risk',
            'screeningBand',
          ],
          properties: {
            id: { type: 'string' },
            state: ref('ApplicationState'),
            ownerId: { type: 'string' },
            createdAt: { type: 'string', format: 'date-time' },
            updatedAt: { type: 'string', format: 'date-time' },
            submittedAt: { type: ['string', 'null'], format: 'date-time' },
            decidedAt: { type: ['string', 'null'], format: 'date-time' },
            expiresAt: { type: ['string', 'null'], format: 'date-time' },
            applicant: {
              type: 'object',
              description: 'masked: PAN AAPPVXXXXK, Aadhaar XXXX XXXX 1234; unset fields are null',
              properties: {
                ...Object.fromEntries(
                  ['name', 'dateOfBirth', 'pan', 'aadhaar', 'passport', 'voterId', 'drivingLicence', 'ckycNumber'].map((field) => [
                    field,
                    { type: ['string', 'null'] },
                  ]),
                ),
                address: { oneOf: [{ type: 'null' }, (requestSchema(applicantPatchSchema).properties as Record<string, object>).address] },
              },
            },
            documents: { type: 'array', items: ref('Document') },
            consents: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  purposes: { type: 'array', items: { type: 'string' } },
                  noticeVersion: { type: 'string' },
                  grantedAt: { type: 'string', format: 'date-time' },
                  withdrawnAt: { type: ['string', 'null'], format: 'date-time' },
                },
              },
            },
            review: {
              type: 'object',
              properties: {
                makerId: { type: ['string', 'null'] },
                recommendation: { type: ['string', 'null'] },
                checkerId: { type: ['string', 'null'] },
              },
            },
            risk: {
              type: 'object',
              properties: {
                score: { type: ['number', 'null'] },
                category: { type: ['string', 'null'] },
                reKycDueOn: { type: ['string', 'null'], format: 'date' },
              },
            },
            screeningBand: { type: ['string', 'null'] },
            findings: { description: 'staff only' },
            history: { type: 'array', description: 'staff only', items: { type: 'object' } },
          },
        },
        ApplicationState: { type: 'string', enum: [...APPLICATION_STATES] },
        QueueItem: {
          type: 'object',
          required: ['id', 'state', 'updatedAt'],
          properties: {
            id: { type: 'string' },
            state: ref('ApplicationState'),
            submittedAt: { type: ['string', 'null'], format: 'date-time' },
            updatedAt: { type: 'string', format: 'date-time' },
            riskCategory: { type: ['string', 'null'] },
            screeningBand: { type: ['string', 'null'] },
            makerId: { type: ['string', 'null'] },
            recommendation: { type: ['string', 'null'] },
          },
        },
        DocumentUpload: {
          type: 'object',
          required: ['type', 'contentType', 'content'],
          additionalProperties: false,
          properties: {
            type: documentTypes,
            contentType: { type: 'string', enum: [...CONTENT_TYPES] },
            content: {
              type: 'string',
              contentEncoding: 'base64',
              maxLength: Math.ceil(MAX_DOCUMENT_BYTES / 3) * 4,
              description: `at most ${MAX_DOCUMENT_BYTES} bytes decoded; must match contentType`,
            },
            aadhaarRedacted: { type: 'boolean', description: 'required true for aadhaar_possession_proof (first 8 digits masked)' },
            fileName: { type: 'string', maxLength: 200 },
          },
        },
        Document: {
          type: 'object',
          required: ['id', 'type', 'contentType', 'sizeBytes', 'uploadedAt'],
          properties: {
            id: { type: 'string' },
            type: documentTypes,
            contentType: { type: 'string' },
            sizeBytes: { type: 'integer' },
            uploadedAt: { type: 'string', format: 'date-time' },
          },
        },
        Recommendation: {
          type: 'object',
          required: ['recommendation'],
          additionalProperties: false,
          properties: { recommendation: { type: 'string', enum: ['approve', 'reject'] }, note: reviewText },
        },
        ResubmissionRequest: {
          type: 'object',
          required: ['reason'],
          additionalProperties: false,
          properties: {
            reason: reviewText,
            documents: {
              type: 'array',
              maxItems: DOCUMENT_TYPES.length,
              items: documentTypes,
              description: 'documents the applicant must provide again',
            },
          },
        },
        Approval: { type: 'object', additionalProperties: false, properties: { reason: reviewText } },
        CheckerReason: { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason: reviewText } },
        ErasureRequestBody: {
          type: 'object',
          additionalProperties: false,
          properties: {
            customerId: { type: 'string', maxLength: 128, description: 'the customer (admin only; a customer asks for themself)' },
          },
        },
        LegalHoldBody: {
          type: 'object',
          required: ['reason'],
          additionalProperties: false,
          properties: { reason: { type: 'string', minLength: 1, maxLength: 500, description: 'why (an investigation, a court order)' } },
        },
        LegalHold: {
          type: 'object',
          required: ['customerId', 'placedBy', 'reason', 'placedAt'],
          properties: {
            customerId: { type: 'string' },
            placedBy: { type: 'string' },
            reason: { type: 'string' },
            placedAt: { type: 'string', format: 'date-time' },
          },
        },
        RelationshipEndBody: {
          type: 'object',
          required: ['endedOn', 'reason'],
          additionalProperties: false,
          properties: {
            endedOn: { type: 'string', format: 'date', description: 'the day it ended (not in the future)' },
            reason: { type: 'string', enum: [...RELATIONSHIP_END_REASONS] },
          },
        },
        RelationshipEnd: {
          type: 'object',
          required: ['customerId', 'endedOn', 'reason', 'applications'],
          properties: {
            customerId: { type: 'string' },
            endedOn: { type: 'string', format: 'date' },
            reason: { type: 'string', enum: [...RELATIONSHIP_END_REASONS] },
            applications: {
              type: 'array',
              description:
                'the approved applications of the relationship, kept until retainUntil; changed: whether this signal set that date',
              items: {
                type: 'object',
                required: ['applicationId', 'retainUntil', 'changed'],
                properties: {
                  applicationId: { type: 'string', format: 'uuid' },
                  retainUntil: { type: 'string', format: 'date-time' },
                  changed: { type: 'boolean' },
                },
              },
            },
          },
        },
        ErasureRequest: {
          type: 'object',
          required: ['id', 'customerId', 'state', 'requestedAt', 'completedAt', 'erased', 'retained', 'services'],
          properties: {
            id: { type: 'string', format: 'uuid' },
            customerId: { type: 'string' },
            state: { type: 'string', enum: ['received', 'retained', 'completed'] },
            requestedAt: { type: 'string', format: 'date-time' },
            completedAt: { type: ['string', 'null'], format: 'date-time' },
            erased: { type: 'array', items: { type: 'string', format: 'uuid' }, description: 'applications whose personal data is gone' },
            retained: {
              type: 'array',
              description: 'KYC records the law keeps, until when and why',
              items: {
                type: 'object',
                required: ['applicationId', 'until', 'reason'],
                properties: {
                  applicationId: { type: 'string', format: 'uuid' },
                  until: { type: 'string', format: 'date-time' },
                  reason: { type: 'string' },
                },
              },
            },
            services: {
              type: 'object',
              description: "the other services' parts of the request (docs/retention.md): pending until each has erased what it holds",
              properties: {
                notification: {
                  type: 'object',
                  required: ['state'],
                  properties: {
                    state: { type: 'string', enum: ['pending', 'completed'] },
                    completedAt: { type: 'string', format: 'date-time' },
                    erased: { type: 'array', items: { type: 'string' }, description: 'record classes erased (contacts)' },
                    kept: {
                      type: 'array',
                      description: 'record classes kept, and why (pseudonymised message log and dead letters)',
                      items: {
                        type: 'object',
                        required: ['record', 'reason'],
                        properties: { record: { type: 'string' }, reason: { type: 'string' } },
                      },
                    },
                  },
                },
              },
            },
          },
        },
        NotificationContact: requestSchema(contactBody),
        NewWebhook: requestSchema(webhookBody),
        Webhook: webhookSchema,
        CreatedWebhook: {
          ...webhookSchema,
          required: [...webhookSchema.required, 'secret'],
          properties: {
            ...webhookSchema.properties,
            secret: {
              type: 'string',
              description: 'The signing secret (whsec_ + base64 of 32 bytes), answered only here: keep it; it cannot be read again',
            },
          },
        },
        WebhookPing: {
          type: 'object',
          required: ['deliveryId'],
          properties: { deliveryId: { type: 'string', format: 'uuid', description: 'the webhook-id the ping carries' } },
        },
        WebhookRedelivery: requestSchema(redeliverBody),
        WebhookRedelivered: {
          type: 'object',
          required: ['deliveryIds'],
          properties: {
            deliveryIds: {
              type: 'array',
              items: { type: 'string', format: 'uuid' },
              description: 'the dead deliveries made due again (none: nothing of that webhook was dead)',
            },
          },
        },
        DeadWebhookDelivery: {
          type: 'object',
          required: ['id', 'eventType', 'attempts', 'lastStatus', 'lastError', 'createdAt', 'failedAt'],
          properties: {
            id: { type: 'string', format: 'uuid', description: 'the webhook-id it carries' },
            eventType: { type: 'string' },
            attempts: { type: 'integer' },
            lastStatus: { type: ['integer', 'null'], description: "the receiver's last HTTP status; null when no answer came" },
            lastError: { type: ['string', 'null'] },
            createdAt: { type: 'string', format: 'date-time' },
            failedAt: { type: 'string', format: 'date-time', description: 'when the last try failed' },
          },
        },
        Notification: {
          type: 'object',
          required: ['id', 'channel', 'template', 'status', 'eventType', 'createdAt'],
          properties: {
            id: { type: 'string' },
            channel: { type: 'string', enum: ['email', 'sms'] },
            template: { type: 'string' },
            status: { type: 'string', enum: ['sent', 'failed'] },
            eventType: { type: 'string' },
            createdAt: { type: 'string', format: 'date-time' },
          },
        },
        AnalyticsSummary: {
          type: 'object',
          required: ['from', 'to', 'totals', 'byDay'],
          properties: {
            from: { type: 'string', format: 'date' },
            to: { type: 'string', format: 'date' },
            totals: { type: 'object', additionalProperties: { type: 'integer' } },
            byDay: {
              type: 'array',
              items: {
                type: 'object',
                properties: { day: { type: 'string', format: 'date' }, type: { type: 'string' }, count: { type: 'integer' } },
              },
            },
            turnaround: {
              type: 'object',
              description: 'The decisions (approved or rejected) of the window, timed from the application’s first submission',
              required: ['decisions', 'averageSeconds', 'byDay'],
              properties: {
                decisions: { type: 'integer' },
                averageSeconds: { type: ['integer', 'null'], description: 'null without a decision' },
                byDay: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['day', 'decisions', 'averageSeconds'],
                    properties: {
                      day: { type: 'string', format: 'date' },
                      decisions: { type: 'integer' },
                      averageSeconds: { type: 'integer' },
                    },
                  },
                },
              },
            },
            funnel: {
              type: 'object',
              description:
                'The applications funnel: started (created), submitted for the first time, approved, rejected — each counted on the UTC day it happened (a flow, not a cohort: a later step may include applications started before the window)',
              required: ['started', 'submitted', 'approved', 'rejected', 'approvalRate', 'byDay'],
              properties: {
                started: { type: 'integer' },
                submitted: { type: 'integer' },
                approved: { type: 'integer' },
                rejected: { type: 'integer' },
                approvalRate: {
                  type: ['number', 'null'],
                  description: 'approved / (approved + rejected), to 4 places; null without a decision',
                },
                byDay: {
                  type: 'array',
                  description: 'The days with any step, in order',
                  items: {
                    type: 'object',
                    required: ['day', 'started', 'submitted', 'approved', 'rejected'],
                    properties: {
                      day: { type: 'string', format: 'date' },
                      started: { type: 'integer' },
                      submitted: { type: 'integer' },
                      approved: { type: 'integer' },
                      rejected: { type: 'integer' },
                    },
                  },
                },
              },
            },
            decisions: {
              type: 'object',
              description:
                'The decisions of the window timed from the application’s first submission: nearest-rank turnaround percentiles, the share asked to resubmit, and the SLA (ANALYTICS_DECISION_SLA_HOURS) breached',
              required: [
                'slaHours',
                'decisions',
                'p50Seconds',
                'p90Seconds',
                'resubmissionRate',
                'slaBreaches',
                'slaBreachRate',
                'waitingPastSla',
                'byDay',
              ],
              properties: {
                slaHours: { type: 'integer', description: 'A decision later than this after the first submission breaches the SLA' },
                decisions: { type: 'integer' },
                p50Seconds: { type: ['integer', 'null'], description: 'null without a decision' },
                p90Seconds: { type: ['integer', 'null'], description: 'null without a decision' },
                resubmissionRate: {
                  type: ['number', 'null'],
                  description: 'Decisions of applications asked to resubmit at least once, out of the decisions; null without one',
                },
                slaBreaches: { type: 'integer' },
                slaBreachRate: { type: ['number', 'null'], description: 'Breaches out of the decisions; null without one' },
                waitingPastSla: {
                  type: 'integer',
                  description: 'Applications submitted longer than the SLA ago and not decided yet (now, whatever the window)',
                },
                byDay: {
                  type: 'array',
                  description: 'The days with a decision, in order',
                  items: {
                    type: 'object',
                    required: ['day', 'decisions', 'p50Seconds', 'p90Seconds', 'resubmitted', 'slaBreaches'],
                    properties: {
                      day: { type: 'string', format: 'date' },
                      decisions: { type: 'integer' },
                      p50Seconds: { type: 'integer' },
                      p90Seconds: { type: 'integer' },
                      resubmitted: { type: 'integer' },
                      slaBreaches: { type: 'integer' },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  };
}
