// Every RFC 9457 problem type the API answers with: what a client can tell apart by `type` alone. The
// URI https://kyc.dev/problems/<slug> is an identifier that stays stable; its documentation page is
// docs/problems/<slug>.md (written from this list by `make openapi`), and the OpenAPI document gives an
// example of each under the status it comes with. problem-types.test.ts checks that every type the
// services can send is listed here.
import { PROBLEM_BASE } from './problem.js';

export interface ProblemType {
  /** The last segment of the type URI and the name of its documentation page. */
  slug: string;
  title: string;
  status: number;
  /** When the API answers with it. */
  when: string;
  /** What a client does about it. */
  action: string;
  /** Whether the same request may succeed later unchanged (Retry-After says when, where sent). */
  retry: 'after Retry-After' | 'after a change' | 'no';
  /** The rest of an example answer: its detail, and the field or extension members it carries. */
  example: { detail: string; field?: string; [extension: string]: unknown };
}

/** The types a handler chose for a reason a client acts on; the generic ones per status follow. */
const SPECIFIC: ProblemType[] = [
  {
    slug: 'validation',
    title: 'Validation failed',
    status: 422,
    when: 'A field of the body, a query parameter or a header has a value the API does not accept (a PAN of the wrong shape, an Aadhaar number whose Verhoeff check digit is wrong, an unknown query parameter). `field` names the first offending field; `errors[]` lists every one.',
    action:
      'Correct the fields named in `errors[]` and send the request again. Showing `errors[].detail` beside each field is safe: it never repeats the value sent.',
    retry: 'after a change',
    example: {
      detail: 'pan: must be 10 characters: 5 letters, 4 digits, 1 letter (AAAPA9999A)',
      field: 'pan',
      errors: [{ field: 'pan', detail: 'must be 10 characters: 5 letters, 4 digits, 1 letter (AAAPA9999A)' }],
    },
  },
  {
    slug: 'invalid-state-transition',
    title: 'Invalid state transition',
    status: 409,
    when: 'The application is not in a state that allows this action: updating a submitted application, approving one that is not waiting for a checker, cancelling one that is already decided. The application lifecycle is in docs/customer-api.md.',
    action: 'Read the application again (`GET /applications/{id}`) and act on its current `state`; do not retry the same request.',
    retry: 'no',
    example: { detail: 'applicant data cannot change while the application is submitted' },
  },
  {
    slug: 'limit-reached',
    title: 'Limit reached',
    status: 409,
    when: 'A per-customer limit is reached, such as the number of open draft applications.',
    action: 'Submit or cancel an open application first; the detail says which limit was reached.',
    retry: 'after a change',
    example: {
      detail:
        'you already have 5 open draft applications (at most 5); submit or cancel one (POST /api/v1/applications/{id}/submit or /cancel) before opening another',
    },
  },
  {
    slug: 'maker-checker-separation',
    title: 'Maker-checker separation',
    status: 409,
    when: 'An admin tried to give one person (one staff id) both the maker and the checker role: the same person may not recommend and approve.',
    action: 'Give the role to another staff member.',
    retry: 'no',
    example: { detail: 'staff id S-1042 already holds the maker role; a person cannot be both maker and checker', field: 'staffId' },
  },
  {
    slug: 'last-admin',
    title: 'Last admin',
    status: 409,
    when: 'An admin tried to change the role of, or disable, the only active admin account left (another admin removed the caller a moment before): the bank would have nobody to manage staff accounts.',
    action: 'Make another account an admin first, then change this one.',
    retry: 'after a change',
    example: { detail: 'this is the last active admin account: make another account an admin first', field: 'id' },
  },
  {
    slug: 'idempotency-key-in-progress',
    title: 'Idempotency-Key in progress',
    status: 409,
    when: 'A request with the same Idempotency-Key is still being processed (a retry sent before the first attempt answered).',
    action: 'Wait for Retry-After and send the same request with the same key again: it then replays the first answer.',
    retry: 'after Retry-After',
    example: { detail: 'a request with this Idempotency-Key is still being processed', field: 'Idempotency-Key' },
  },
  {
    slug: 'idempotency-key-reused',
    title: 'Idempotency-Key reused',
    status: 422,
    when: 'The Idempotency-Key was already used, within the last 24 hours, with a different request body or path.',
    action: 'Use a new key for a new request. Reuse a key only to retry exactly the same request.',
    retry: 'after a change',
    example: { detail: 'this Idempotency-Key was used with a different request body', field: 'Idempotency-Key' },
  },
  {
    slug: 'json-too-deep',
    title: 'JSON nested too deeply',
    status: 400,
    when: 'The JSON body nests arrays and objects deeper than the API reads. No request the API documents needs that depth.',
    action: 'Send the body as the reference describes it.',
    retry: 'after a change',
    example: { detail: 'the request body nests arrays and objects deeper than 32 levels; send a flatter document', field: 'body' },
  },
  {
    slug: 'temporarily-unavailable',
    title: 'Service Unavailable',
    status: 503,
    when: 'A service or one of its dependencies (database, cache, event bus) is away for a moment, or its circuit breaker is open. Nothing was changed.',
    action: 'Wait for the seconds in Retry-After and retry; with an Idempotency-Key a retried write is never applied twice.',
    retry: 'after Retry-After',
    example: { detail: 'the kyc service is unavailable; retry later', upstream: 'kyc' },
  },
  {
    slug: 'feature-paused',
    title: 'Feature paused',
    status: 503,
    when: 'The bank switched this feature off for a while (new applications, document upload, ...), for example during an incident.',
    action: 'Tell the user the feature is paused and retry after Retry-After; `GET /status` lists what is reduced.',
    retry: 'after Retry-After',
    example: { detail: 'new applications are paused for now; retry later' },
  },
  {
    slug: 'read-only-mode',
    title: 'Read-only mode',
    status: 503,
    when: 'The platform runs read-only: reads are served, every change is refused before it is read, so nothing is half-written. Signing in, refreshing and signing out stay open.',
    action: 'Retry the change after Retry-After; `GET /status` says when the platform is back to Normal.',
    retry: 'after Retry-After',
    example: { detail: 'the platform is read-only for now: reads are served, changes are refused; retry later', mode: 'ReadOnly' },
  },
  {
    slug: 'maintenance',
    title: 'Maintenance',
    status: 503,
    when: 'The platform is in maintenance: every request but `GET /status` is refused.',
    action: 'Retry after Retry-After; `GET /status` says when maintenance is over.',
    retry: 'after Retry-After',
    example: {
      detail: 'the platform is in maintenance: no request is served until it ends; GET /api/v1/status says when it is over',
      mode: 'Maintenance',
    },
  },
];

/** The type of a problem that names no type of its own: its title, by status (problem.ts). */
const GENERIC: Array<[number, string, string, ProblemType['retry'], ProblemType['example']]> = [
  [
    400,
    'Bad Request',
    'The request cannot be read: the body is not JSON, a header is malformed, or the request target is not a plain path (no `..` segments, no absolute URL).',
    'no',
    { detail: 'the request body is not valid JSON', field: 'body' },
  ],
  [
    401,
    'Unauthorized',
    'No valid access token was sent (missing, expired, revoked), or the email and password do not match.',
    'no',
    { detail: 'a Bearer access token is required' },
  ],
  [403, 'Forbidden', 'Your role does not allow this action.', 'no', { detail: 'only customers open KYC applications' }],
  [404, 'Not Found', 'No such resource, or it is not yours (the API does not say which).', 'no', { detail: 'application not found' }],
  [405, 'Method Not Allowed', 'The path exists but not with this method.', 'no', { detail: 'Method Not Allowed' }],
  [
    408,
    'Request Timeout',
    'The request was not received in time.',
    'after Retry-After',
    { detail: 'the request was not received in time' },
  ],
  [
    409,
    'Conflict',
    'The request conflicts with what exists, such as an email that already has an account.',
    'no',
    { detail: 'an account with this email already exists', field: 'email' },
  ],
  [
    413,
    'Content Too Large',
    'The body is larger than the API accepts.',
    'after a change',
    { detail: 'the request body is too large', field: 'body' },
  ],
  [
    415,
    'Unsupported Media Type',
    'The body is not UTF-8 JSON, or its Content-Encoding is not one the API reads.',
    'after a change',
    { detail: 'JSON bodies must be UTF-8', field: 'Content-Type' },
  ],
  [422, 'Unprocessable Content', 'The body is JSON but cannot be processed.', 'after a change', { detail: 'Unprocessable Content' }],
  [423, 'Locked', 'The resource is locked for now.', 'after Retry-After', { detail: 'Locked' }],
  [
    429,
    'Too Many Requests',
    'You sent more requests than your rate limit allows (per client address at the gateway; per account for sign-in attempts).',
    'after Retry-After',
    { detail: 'too many requests from this client' },
  ],
  [
    431,
    'Request Header Fields Too Large',
    'The request headers are larger than the API reads.',
    'after a change',
    { detail: 'the request headers are too large' },
  ],
  [500, 'Internal Server Error', 'An error the API did not expect. It is logged with the `requestId`.', 'no', { detail: 'internal error' }],
  [
    502,
    'Bad Gateway',
    'A service behind the gateway answered with more than the gateway passes on; nothing of that answer is sent.',
    'no',
    { detail: 'the kyc service answered with more than 1048576 bytes', upstream: 'kyc' },
  ],
  [503, 'Service Unavailable', 'The service cannot answer for now.', 'after Retry-After', { detail: 'the auth service is not configured' }],
];

const slugOf = (title: string): string => title.toLowerCase().replace(/[^a-z]+/g, '-');

export const PROBLEM_TYPES: readonly ProblemType[] = [
  ...SPECIFIC,
  ...GENERIC.map(([status, title, when, retry, example]) => ({
    slug: slugOf(title),
    title,
    status,
    when,
    action:
      retry === 'after Retry-After'
        ? 'Wait for the seconds in Retry-After and retry.'
        : retry === 'after a change'
          ? 'Change the request as the detail says.'
          : 'Do not retry the same request; the detail says why it was refused.',
    retry,
    example,
  })),
];

export const problemTypeUri = (type: ProblemType): string => `${PROBLEM_BASE}${type.slug}`;

/** Where a type's documentation page is, relative to the repository. */
export const problemTypePage = (type: ProblemType): string => `docs/problems/${type.slug}.md`;
