// RFC 9457 problem details. Handlers throw a ProblemError; the error handler renders it as
// `application/problem+json` with the offending field named.
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import type { Logger } from './logger.js';

export const PROBLEM_BASE = 'https://kyc.dev/problems/';

export interface FieldError {
  field: string;
  detail: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  field?: string;
  errors?: FieldError[];
  requestId?: string;
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  423: 'Locked',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export interface ProblemOptions {
  type?: string;
  title?: string;
  field?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  extensions?: Record<string, unknown>;
}

export class ProblemError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly field: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;

  constructor(status: number, detail: string, options: ProblemOptions = {}) {
    super(detail);
    this.name = 'ProblemError';
    this.status = status;
    this.title = options.title ?? TITLES[status] ?? 'Error';
    this.type = options.type ?? `${PROBLEM_BASE}${this.title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
    this.field = options.field;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }

  toBody(instance?: string, requestId?: string): ProblemBody {
    return {
      ...this.extensions,
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(instance !== undefined && { instance }),
      ...(this.field !== undefined && { field: this.field }),
      ...(this.errors !== undefined && { errors: this.errors }),
      ...(requestId !== undefined && { requestId }),
    };
  }
}

/** 422 naming the field whose value is wrong. */
export function validationProblem(field: string, detail: string, errors?: FieldError[]): ProblemError {
  return new ProblemError(422, detail, {
    type: `${PROBLEM_BASE}validation`,
    title: 'Validation failed',
    field,
    errors: errors ?? [{ field, detail }],
  });
}

export const badRequest = (detail: string, field?: string): ProblemError =>
  new ProblemError(400, detail, field !== undefined ? { field } : {});
export const unauthorized = (detail = 'a valid access token is required'): ProblemError =>
  new ProblemError(401, detail, { headers: { 'WWW-Authenticate': 'Bearer' } });
export const forbidden = (detail = 'your role does not allow this'): ProblemError => new ProblemError(403, detail);
export const notFound = (detail = 'not found'): ProblemError => new ProblemError(404, detail);
export const conflict = (detail: string, field?: string): ProblemError =>
  new ProblemError(409, detail, field !== undefined ? { field } : {});
export const tooManyRequests = (retryAfterSeconds: number, detail = 'too many requests'): ProblemError =>
  new ProblemError(429, detail, { headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) } });
/** 409: the application's state does not allow the action (docs/problems/invalid-state-transition.md). */
export const INVALID_STATE_TRANSITION = `${PROBLEM_BASE}invalid-state-transition`;
/** 409: the first request with this Idempotency-Key has not answered yet (docs/problems/idempotency-key-in-progress.md). */
export const IDEMPOTENCY_KEY_IN_PROGRESS = `${PROBLEM_BASE}idempotency-key-in-progress`;
/** The type of every 503 that means "not now, retry after Retry-After" (a dependency away, a full queue). */
export const TEMPORARILY_UNAVAILABLE = `${PROBLEM_BASE}temporarily-unavailable`;
export const serviceUnavailable = (retryAfterSeconds: number, detail: string, extensions: Record<string, unknown> = {}): ProblemError =>
  new ProblemError(503, detail, {
    type: TEMPORARILY_UNAVAILABLE,
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    extensions,
  });

/** A field path from zod (`['address', 'pin']`) in dotted form (`address.pin`). */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.length === 0 ? 'body' : path.map(String).join('.');
}

export function fromZodError(error: ZodError, prefix?: string): ProblemError {
  const errors = error.issues.map((issue) => ({
    field: prefix === undefined ? fieldPath(issue.path) : issue.path.length === 0 ? prefix : `${prefix}.${fieldPath(issue.path)}`,
    detail: issue.message,
  }));
  const first = errors[0] ?? { field: prefix ?? 'body', detail: 'invalid' };
  return validationProblem(first.field, `${first.field}: ${first.detail}`, errors);
}

/** Parses `value` with a zod schema or throws a 422 naming the first bad field. */
export function parseOrProblem<T>(
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: ZodError } },
  value: unknown,
  prefix?: string,
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw fromZodError(result.error, prefix);
}

export function sendProblem(res: Response, problem: ProblemError, instance?: string, requestId?: string): void {
  if (res.headersSent) return;
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res
    .status(problem.status)
    .type('application/problem+json')
    .send(JSON.stringify(problem.toBody(instance, requestId)));
}

interface HttpLikeError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  code?: unknown;
}

/** Maps body-parser and other http-errors to problems; anything else is a 500. */
export function toProblem(error: unknown): ProblemError {
  if (error instanceof ProblemError) return error;
  if (error instanceof ZodError) return fromZodError(error);
  const httpError = (typeof error === 'object' && error !== null ? error : {}) as HttpLikeError;
  const status = httpError.status ?? httpError.statusCode;
  switch (httpError.type) {
    case 'entity.parse.failed':
      return new ProblemError(400, 'the request body is not valid JSON', { field: 'body' });
    case 'entity.too.large':
      return new ProblemError(413, 'the request body is too large', { field: 'body' });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ProblemError(415, 'unsupported content encoding or charset', { field: 'Content-Encoding' });
    case 'request.aborted':
      return new ProblemError(400, 'the request was aborted', { field: 'body' });
    default:
      break;
  }
  // A body that does not inflate (zlib's Z_*, zstd's ZSTD_* codes) reaches here as a bare "Bad Request".
  if (status === 400 && typeof httpError.code === 'string' && /^(Z|ZSTD)_/.test(httpError.code)) {
    return new ProblemError(400, 'the request body does not decompress as its Content-Encoding says', { field: 'Content-Encoding' });
  }
  if (status !== undefined && status >= 400 && status < 500)
    return new ProblemError(status, httpError.expose ? String((error as Error).message) : (TITLES[status] ?? 'Bad Request'));
  return new ProblemError(500, 'internal error');
}

export function problemErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const problem = toProblem(error);
    if (problem.status >= 500) (req.log ?? logger).error({ err: error }, 'request failed');
    sendProblem(res, problem, req.originalUrl.split('?')[0], req.id);
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(notFound(`no route for ${req.method} ${req.path.slice(0, 200)}`));
};
