// Documents an applicant uploads: the officially valid documents of the RBI KYC Master Direction, plus
// the PAN card (or Form 60) that is required in addition. Content is checked against its declared
// format by its leading bytes, so a renamed executable is not stored as a "PDF".
import type { FieldError } from './applicant.js';

export const OFFICIALLY_VALID_DOCUMENTS = [
  'passport',
  'driving_licence',
  'aadhaar_possession_proof',
  'voter_id',
  'nrega_job_card',
  'npr_letter',
] as const;
export const PAN_DOCUMENTS = ['pan_card', 'form_60'] as const;
export const DOCUMENT_TYPES = [...OFFICIALLY_VALID_DOCUMENTS, ...PAN_DOCUMENTS] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export const CONTENT_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

/** Largest decoded document accepted. */
export const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;

const SIGNATURES: Readonly<Record<ContentType, readonly number[]>> = {
  'application/pdf': [0x25, 0x50, 0x44, 0x46, 0x2d], // %PDF-
  'image/jpeg': [0xff, 0xd8, 0xff],
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
};

export interface DocumentUpload {
  readonly type: DocumentType;
  readonly contentType: ContentType;
  readonly content: Buffer;
}

export type DocumentValidation = { ok: true; value: DocumentUpload } | { ok: false; errors: FieldError[] };

export function isDocumentType(value: unknown): value is DocumentType {
  return typeof value === 'string' && (DOCUMENT_TYPES as readonly string[]).includes(value);
}

/**
 * Validates `{ type, contentType, content (base64), aadhaarRedacted? }`. A proof of possession of Aadhaar
 * must be declared redacted (first 8 digits masked) — the bank may not store the full number in images.
 */
export function validateDocumentUpload(body: unknown): DocumentValidation {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: [{ field: 'body', message: 'must be an object' }] };
  }
  const input = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  const known = new Set(['type', 'contentType', 'content', 'aadhaarRedacted', 'fileName']);
  for (const key of Object.keys(input)) if (!known.has(key)) errors.push({ field: key, message: 'is not a known field' });

  const { type, contentType, content } = input;
  if (!isDocumentType(type)) errors.push({ field: 'type', message: `must be one of ${DOCUMENT_TYPES.join(', ')}` });
  if (typeof contentType !== 'string' || !(CONTENT_TYPES as readonly string[]).includes(contentType)) {
    errors.push({ field: 'contentType', message: `must be one of ${CONTENT_TYPES.join(', ')}` });
  }
  if (input.fileName !== undefined && (typeof input.fileName !== 'string' || input.fileName.length > 200)) {
    errors.push({ field: 'fileName', message: 'must be a string of at most 200 characters' });
  }
  if (type === 'aadhaar_possession_proof' && input.aadhaarRedacted !== true) {
    errors.push({ field: 'aadhaarRedacted', message: 'Aadhaar images must have the first 8 digits masked; confirm with true' });
  } else if (input.aadhaarRedacted !== undefined && typeof input.aadhaarRedacted !== 'boolean') {
    errors.push({ field: 'aadhaarRedacted', message: 'must be a boolean' });
  }
  let bytes: Buffer | undefined;
  if (typeof content !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(content) || content.length % 4 !== 0) {
    errors.push({ field: 'content', message: 'must be base64-encoded' });
  } else if (content.length > Math.ceil(MAX_DOCUMENT_BYTES / 3) * 4) {
    errors.push({ field: 'content', message: `must be at most ${MAX_DOCUMENT_BYTES} bytes` });
  } else {
    bytes = Buffer.from(content, 'base64');
    if (bytes.length === 0) errors.push({ field: 'content', message: 'must not be empty' });
    else if (isDocumentContentType(contentType) && !matchesFormat(bytes, contentType)) {
      errors.push({ field: 'content', message: `is not a ${contentType} file` });
    }
  }
  if (errors.length > 0 || bytes === undefined) return { ok: false, errors };
  return { ok: true, value: { type: type as DocumentType, contentType: contentType as ContentType, content: bytes } };
}

export function matchesFormat(bytes: Buffer, contentType: ContentType): boolean {
  const signature = SIGNATURES[contentType];
  return bytes.length >= signature.length && signature.every((b, i) => bytes[i] === b);
}

function isDocumentContentType(value: unknown): value is ContentType {
  return typeof value === 'string' && (CONTENT_TYPES as readonly string[]).includes(value);
}

/** What a submission needs on file: one officially valid document and the PAN card or Form 60. */
export function missingDocuments(uploaded: readonly DocumentType[]): FieldError[] {
  const errors: FieldError[] = [];
  if (!uploaded.some((t) => (OFFICIALLY_VALID_DOCUMENTS as readonly string[]).includes(t))) {
    errors.push({ field: 'documents', message: `needs one officially valid document (${OFFICIALLY_VALID_DOCUMENTS.join(', ')})` });
  }
  if (!uploaded.some((t) => (PAN_DOCUMENTS as readonly string[]).includes(t))) {
    errors.push({ field: 'documents', message: 'needs the PAN card or Form 60' });
  }
  return errors;
}
