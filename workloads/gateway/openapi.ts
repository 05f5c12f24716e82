// The public API (OpenAPI 3.1) served at /api/v1/openapi.json. Every route the gateway forwards is
// described here; upstreams own the behaviour, this document is the contract clients read.
const problem = { $ref: '#/components/responses/Problem' };
const json = (schema: object): object => ({ 'application/json': { schema } });
const ref = (name: string): object => ({ $ref: `#/components/schemas/${name}` });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: 64 } };
const idempotencyKey = { $ref: '#/components/parameters/IdempotencyKey' };

function operation(summary: string, options: { tags: string[]; roles?: string[]; body?: object; ok?: [string, object?]; params?: object[]; isPublic?: boolean; post?: boolean }): object {
  const [status, schema] = options.ok ?? ['200', undefined];
  return {
    summary,
    tags: options.tags,
    ...(options.roles && { description: `Roles: ${options.roles.join(', ')}.` }),
    ...(options.isPublic ? { security: [] } : {}),
    parameters: [...(options.params ?? []), ...(options.post ? [idempotencyKey] : [])],
    ...(options.body && { requestBody: { required: true, content: json(options.body) } }),
    responses: {
      [status]: { description: 'success', ...(schema && { content: json(schema) }) },
      '400': problem,
      ...(options.isPublic ? {} : { '401': problem, '403': problem }),
      '404': problem,
      '409': problem,
      '422': problem,
      '429': problem,
      '503': problem,
    },
  };
}

const applicant = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', maxLength: 200 },
    dateOfBirth: { type: 'string', format: 'date' },
    pan: { type: 'string', maxLength: 40, description: 'AAAAA9999A; stored encrypted, shown masked' },
    aadhaar: { type: 'string', maxLength: 40, description: '12 digits with a Verhoeff check digit; kept only as a vault token + last 4' },
    address: {
      type: 'object',
      additionalProperties: false,
      required: ['line1', 'city', 'state', 'pincode'],
      properties: {
        line1: { type: 'string', maxLength: 200 },
        line2: { type: 'string', maxLength: 200 },
        city: { type: 'string', maxLength: 100 },
        state: { type: 'string', maxLength: 100 },
        pincode: { type: 'string', pattern: '^[1-9][0-9]{5}$' },
        country: { type: 'string', pattern: '^[A-Za-z]{2}$' },
      },
    },
    passport: { type: 'string', maxLength: 40 },
    voterId: { type: 'string', maxLength: 40 },
    drivingLicence: { type: 'string', maxLength: 40 },
    ckycNumber: { type: 'string', maxLength: 40 },
  },
};

const tags = (tag: string): string[] => [tag];

export function openApiDocument(version: string): object {
  return {
    openapi: '3.1.0',
    info: {
      title: 'KYC platform API',
      version,
      description:
        'Customer sign-up and KYC applications, reviewer queue with maker-checker approval, and analytics. ' +
        'Errors are RFC 9457 application/problem+json naming the offending field. Every POST accepts an Idempotency-Key.',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    paths: {
      '/auth/register': { post: operation('Create a customer account', { tags: tags('auth'), isPublic: true, post: true, body: ref('Register'), ok: ['201', ref('User')] }) },
      '/auth/login': { post: operation('Log in: an access token (15 min) and a refresh token', { tags: tags('auth'), isPublic: true, post: true, body: ref('Login'), ok: ['200', ref('Tokens')] }) },
      '/auth/refresh': { post: operation('Swap a refresh token for new tokens (rotation; reuse revokes the login)', { tags: tags('auth'), isPublic: true, post: true, body: ref('RefreshToken'), ok: ['200', ref('Tokens')] }) },
      '/auth/logout': { post: operation('Revoke a refresh token and its login', { tags: tags('auth'), isPublic: true, post: true, body: ref('RefreshToken'), ok: ['204'] }) },
      '/auth/me': { get: operation('The caller', { tags: tags('auth'), ok: ['200', ref('User')] }) },
      '/admin/users': {
        post: operation('Create a staff user (maker, checker, admin)', { tags: tags('admin'), roles: ['admin'], post: true, body: ref('StaffUser'), ok: ['201', ref('User')] }),
        get: operation('List users', {
          tags: tags('admin'),
          roles: ['admin'],
          params: [
            { name: 'role', in: 'query', schema: { type: 'string', enum: ['customer', 'maker', 'checker', 'admin'] } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200 } },
          ],
          ok: ['200', { type: 'object', properties: { items: { type: 'array', items: ref('User') } } }],
        }),
      },
      '/applications': {
        post: operation('Start a KYC application (draft)', { tags: tags('applications'), roles: ['customer'], post: true, body: { type: 'object' }, ok: ['201', ref('Application')] }),
      },
      '/applications/{id}': {
        get: operation('An application (masked identity numbers)', { tags: tags('applications'), roles: ['customer (own)', 'maker', 'checker', 'admin'], params: [idParam], ok: ['200', ref('Application')] }),
        patch: operation('Update applicant data (draft or resubmission_required)', { tags: tags('applications'), roles: ['customer (own)'], params: [idParam], body: ref('Applicant'), ok: ['200', ref('Application')] }),
      },
      '/applications/{id}/documents': {
        post: operation('Upload a document (PDF/JPEG/PNG, at most 2 MiB)', { tags: tags('applications'), roles: ['customer (own)'], params: [idParam], post: true, body: ref('DocumentUpload'), ok: ['201', ref('Document')] }),
      },
      '/applications/{id}/documents/{documentId}': {
        get: operation('A document (decrypted content)', {
          tags: tags('applications'),
          roles: ['customer (own)', 'maker', 'checker', 'admin'],
          params: [idParam, { name: 'documentId', in: 'path', required: true, schema: { type: 'string', maxLength: 64 } }],
          ok: ['200', ref('Document')],
        }),
      },
      '/applications/{id}/submit': { post: operation('Submit for automatic checks and review', { tags: tags('applications'), roles: ['customer (own)'], params: [idParam], post: true, ok: ['200', ref('Application')] }) },
      '/applications/{id}/cancel': { post: operation('Cancel an open application', { tags: tags('applications'), roles: ['customer (own)'], params: [idParam], post: true, ok: ['200', ref('Application')] }) },
      '/review/queue': { get: operation('Applications waiting for a maker or checker', { tags: tags('review'), roles: ['maker', 'checker'], ok: ['200', { type: 'object', properties: { items: { type: 'array', items: ref('Application') } } }] }) },
      ...Object.fromEntries(
        (
          [
            ['recommend', 'Recommend approval (maker)', 'maker'],
            ['request-resubmission', 'Ask the applicant for documents (maker)', 'maker'],
            ['approve', 'Approve (checker; never the maker who recommended)', 'checker'],
            ['reject', 'Reject (checker)', 'checker'],
            ['return', 'Return to the maker (checker)', 'checker'],
          ] as const
        ).map(([action, summary, role]) => [
          `/review/{id}/${action}`,
          { post: operation(summary, { tags: tags('review'), roles: [role], params: [idParam], post: true, body: ref('ReviewDecision'), ok: ['200', ref('Application')] }) },
        ]),
      ),
      '/notifications': { get: operation("The caller's notifications (admin: everyone's)", { tags: tags('notifications'), ok: ['200', { type: 'object', properties: { items: { type: 'array', items: ref('Notification') } } }] }) },
      '/analytics/summary': { get: operation('Event counts by type and day', { tags: tags('analytics'), roles: ['admin'], params: [{ name: 'days', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 366 } }], ok: ['200', ref('AnalyticsSummary')] }) },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: 'Same key + same body replays the first response; same key + a different body is a 422. Kept 24 h, per user.',
          schema: { type: 'string', minLength: 1, maxLength: 255 },
        },
      },
      responses: { Problem: { description: 'RFC 9457 problem details', content: { 'application/problem+json': { schema: ref('Problem') } } } },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status'],
          properties: {
            type: { type: 'string', format: 'uri' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            field: { type: 'string', description: 'the offending field (body path, header or query parameter)' },
            errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, detail: { type: 'string' } } } },
            requestId: { type: 'string' },
          },
        },
        Register: { type: 'object', required: ['email', 'password'], additionalProperties: false, properties: { email: { type: 'string', format: 'email' }, password: { type: 'string', minLength: 12, maxLength: 128 }, name: { type: 'string' } } },
        Login: { type: 'object', required: ['email', 'password'], additionalProperties: false, properties: { email: { type: 'string' }, password: { type: 'string' } } },
        RefreshToken: { type: 'object', required: ['refreshToken'], additionalProperties: false, properties: { refreshToken: { type: 'string' } } },
        StaffUser: { type: 'object', required: ['email', 'password', 'role'], additionalProperties: false, properties: { email: { type: 'string', format: 'email' }, password: { type: 'string', minLength: 12 }, name: { type: 'string' }, role: { type: 'string', enum: ['maker', 'checker', 'admin'] } } },
        User: { type: 'object', properties: { id: { type: 'string', format: 'uuid' }, email: { type: 'string' }, role: { type: 'string', enum: ['customer', 'maker', 'checker', 'admin'] }, name: { type: 'string' } } },
        Tokens: { type: 'object', properties: { accessToken: { type: 'string' }, refreshToken: { type: 'string' }, tokenType: { const: 'Bearer' }, expiresIn: { type: 'integer' }, user: ref('User') } },
        Applicant: applicant,
        Application: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            state: { type: 'string', enum: ['draft', 'submitted', 'processing', 'rejected', 'pending_review', 'pending_approval', 'approved', 'resubmission_required', 'expired', 'cancelled'] },
            applicant: { type: 'object', description: 'masked: PAN AAPPVXXXXK, Aadhaar XXXX XXXX 1234' },
            riskCategory: { type: 'string', enum: ['low', 'medium', 'high'] },
            reKycDueAt: { type: 'string', format: 'date' },
          },
        },
        DocumentUpload: {
          type: 'object',
          required: ['type', 'contentType', 'content'],
          properties: {
            type: { type: 'string', enum: ['passport', 'driving_licence', 'aadhaar_possession_proof', 'voter_id', 'nrega_job_card', 'npr_letter', 'pan_card', 'form_60'] },
            contentType: { type: 'string', enum: ['application/pdf', 'image/jpeg', 'image/png'] },
            content: { type: 'string', contentEncoding: 'base64', description: 'at most 2 MiB decoded' },
          },
        },
        Document: { type: 'object', properties: { id: { type: 'string' }, type: { type: 'string' }, contentType: { type: 'string' }, size: { type: 'integer' } } },
        ReviewDecision: { type: 'object', properties: { comment: { type: 'string', maxLength: 2000 }, reason: { type: 'string', maxLength: 2000 } } },
        Notification: { type: 'object', properties: { id: { type: 'string' }, channel: { type: 'string', enum: ['email', 'sms'] }, template: { type: 'string' }, status: { type: 'string', enum: ['sent', 'failed'] }, createdAt: { type: 'string', format: 'date-time' } } },
        AnalyticsSummary: {
          type: 'object',
          properties: {
            from: { type: 'string', format: 'date' },
            totals: { type: 'object', additionalProperties: { type: 'integer' } },
            byDay: { type: 'array', items: { type: 'object', properties: { day: { type: 'string', format: 'date' }, type: { type: 'string' }, count: { type: 'integer' } } } },
          },
        },
      },
    },
  };
}
