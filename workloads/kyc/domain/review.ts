// Reviewer inputs: a maker's recommendation or resubmission request, a checker's decision.
import type { FieldError } from './applicant.js';
import { DOCUMENT_TYPES, type DocumentType } from './documents.js';

export interface Recommendation {
  readonly recommendation: 'approve' | 'reject';
  readonly note?: string;
}
export interface ResubmissionRequest {
  readonly reason: string;
  readonly documents: readonly DocumentType[];
}
export interface Decision {
  readonly reason?: string;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const MAX_TEXT = 1000;

/**
 * Control characters (other than tab and line breaks) and lone UTF-16 surrogates. A note or reason goes
 * into the audit trail's and the outbox's jsonb, which refuses `\u0000` and unpaired surrogates: such a
 * note was a 500 after the review had been decided in memory. Nothing a person types needs them.
 */
// \p{Cc} is every C0/C1 control and DEL; \p{Cs} a surrogate standing alone (a pair is one code point here).
const UNPRINTABLE = /(?![\t\n\r])\p{Cc}|\p{Cs}/u;

function objectBody(body: unknown, allowed: readonly string[]): { fields: Record<string, unknown>; errors: FieldError[] } {
  if (body === undefined || body === null) return { fields: {}, errors: [] };
  if (typeof body !== 'object' || Array.isArray(body)) return { fields: {}, errors: [{ field: 'body', message: 'must be an object' }] };
  const fields = body as Record<string, unknown>;
  const errors = Object.keys(fields)
    .filter((k) => !allowed.includes(k))
    .map((k) => ({ field: k, message: 'is not a known field' }));
  return { fields, errors };
}

function text(fields: Record<string, unknown>, name: string, required: boolean, errors: FieldError[]): string | undefined {
  const value = fields[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_TEXT) {
    errors.push({ field: name, message: `must be a non-empty string of at most ${MAX_TEXT} characters` });
    return undefined;
  }
  if (UNPRINTABLE.test(value)) {
    errors.push({ field: name, message: 'must not contain control characters (other than tabs and line breaks) or unpaired surrogates' });
    return undefined;
  }
  return value.trim();
}

export function parseRecommendation(body: unknown): Parsed<Recommendation> {
  const { fields, errors } = objectBody(body, ['recommendation', 'note']);
  const recommendation = fields.recommendation;
  if (recommendation !== 'approve' && recommendation !== 'reject') {
    errors.push({ field: 'recommendation', message: 'must be approve or reject' });
  }
  const note = text(fields, 'note', false, errors);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { recommendation: recommendation as 'approve' | 'reject', ...(note !== undefined && { note }) } };
}

export function parseResubmissionRequest(body: unknown): Parsed<ResubmissionRequest> {
  const { fields, errors } = objectBody(body, ['reason', 'documents']);
  const reason = text(fields, 'reason', true, errors);
  const documents = fields.documents ?? [];
  if (
    !Array.isArray(documents) ||
    documents.length > DOCUMENT_TYPES.length ||
    !documents.every((d) => (DOCUMENT_TYPES as readonly unknown[]).includes(d))
  ) {
    errors.push({ field: 'documents', message: `must be a list of ${DOCUMENT_TYPES.join(', ')}` });
  }
  if (errors.length > 0 || reason === undefined) return { ok: false, errors };
  return { ok: true, value: { reason, documents: documents as DocumentType[] } };
}

/** Approve takes an optional note; reject and return need a reason. */
export function parseDecision(body: unknown, reasonRequired: boolean): Parsed<Decision> {
  const { fields, errors } = objectBody(body, ['reason']);
  const reason = text(fields, 'reason', reasonRequired, errors);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: reason !== undefined ? { reason } : {} };
}
