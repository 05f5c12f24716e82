// The rules the API enforces, shown at the field while the person types. They are the kyc service's
// own functions (workloads/kyc/domain: pure, framework-free, bundled into the app), not a copy: the
// browser and the API cannot disagree on what a valid PAN, Aadhaar, PIN code or date of birth is.
import { type StoredApplicant, validateApplicantPatch } from '../../workloads/kyc/domain/applicant.js';
import { CONTENT_TYPES, DOCUMENT_TYPES, MAX_DOCUMENT_BYTES } from '../../workloads/kyc/domain/documents.js';
import { t } from './strings.js';

export { CONTENT_TYPES, DOCUMENT_TYPES, MAX_DOCUMENT_BYTES };

/** The applicant form's fields, with the address flattened (`address.pincode`). */
export const APPLICANT_FIELDS = [
  'name',
  'dateOfBirth',
  'pan',
  'aadhaar',
  'address.line1',
  'address.line2',
  'address.city',
  'address.state',
  'address.pincode',
] as const;
export type ApplicantField = (typeof APPLICANT_FIELDS)[number];
export type ApplicantValues = Record<ApplicantField, string>;

const OPTIONAL: ReadonlySet<ApplicantField> = new Set(['address.line2']);

export const emptyApplicant = (): ApplicantValues => Object.fromEntries(APPLICANT_FIELDS.map((field) => [field, ''])) as ApplicantValues;

/** The PATCH body the form's values make (blank optional fields left out). */
export function applicantPatch(values: ApplicantValues): Record<string, unknown> {
  const line2 = values['address.line2'].trim();
  return {
    name: values.name,
    dateOfBirth: values.dateOfBirth,
    pan: values.pan,
    aadhaar: values.aadhaar,
    address: {
      line1: values['address.line1'],
      ...(line2 && { line2 }),
      city: values['address.city'],
      state: values['address.state'],
      pincode: values['address.pincode'],
    },
  };
}

/**
 * What is wrong with the form's values, field by field, by the API's rules (`today` decides ages).
 * A blank required field is "required" only when `requireAll` (on submit); while typing, a field
 * the person has not reached yet shows nothing.
 */
export function applicantProblems(values: ApplicantValues, today: Date, requireAll: boolean): Partial<Record<ApplicantField, string>> {
  const problems: Partial<Record<ApplicantField, string>> = {};
  for (const field of APPLICANT_FIELDS) {
    if (values[field].trim() === '' && !OPTIONAL.has(field) && requireAll) problems[field] = t.applicant.required;
  }
  const filled = (field: ApplicantField) => values[field].trim() !== '';
  // Each filled field alone, so one bad field does not hide another's message.
  const single: Record<string, unknown> = {};
  for (const field of ['name', 'dateOfBirth', 'pan', 'aadhaar'] as const) if (filled(field)) single[field] = values[field];
  const stored: StoredApplicant = {};
  for (const [field, value] of Object.entries(single)) {
    const result = validateApplicantPatch({ [field]: value }, stored, today);
    if (!result.ok) problems[field as ApplicantField] = sentence(field, result.errors[0]?.message ?? '');
  }
  // The cross-field rule (PAN 5th letter = surname initial) once name and PAN are each valid.
  if (filled('name') && filled('pan') && !problems.name && !problems.pan) {
    const result = validateApplicantPatch({ name: values.name, pan: values.pan }, stored, today);
    if (!result.ok) for (const error of result.errors) problems[error.field as ApplicantField] ??= sentence(error.field, error.message);
  }
  // The address is one object in the API: check it with placeholders for the parts not typed yet.
  const addressFields = ['address.line1', 'address.line2', 'address.city', 'address.state', 'address.pincode'] as const;
  if (addressFields.some(filled)) {
    const placeholder = { line1: 'x', city: 'x', state: 'x', pincode: '110001' };
    const address: Record<string, string> = { ...placeholder };
    for (const field of addressFields) if (filled(field)) address[field.slice('address.'.length)] = values[field];
    const result = validateApplicantPatch({ address }, stored, today);
    if (!result.ok) for (const error of result.errors) problems[error.field as ApplicantField] ??= sentence(error.field, error.message);
  }
  return problems;
}

const LABELS: Record<string, string> = {
  name: t.applicant.name,
  dateOfBirth: t.applicant.dateOfBirth,
  pan: t.applicant.pan,
  aadhaar: t.applicant.aadhaar,
  'address.line1': t.applicant.line1,
  'address.line2': t.applicant.line2,
  'address.city': t.applicant.city,
  'address.state': t.applicant.state,
  'address.pincode': t.applicant.pincode,
};

/** The API's message ("must be a 6-digit PIN code ...") as a sentence about the field. */
export function sentence(field: string, message: string): string {
  const text = message.trim();
  if (/^(must|is|needs)\b/.test(text)) return `${LABELS[field] ?? field} ${text}.`;
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${text.endsWith('.') ? '' : '.'}`;
}

/** Whether a chosen file can be uploaded: the API's size limit and types, checked before sending. */
export function fileProblem(file: { size: number; type: string }): string | undefined {
  if (!(CONTENT_TYPES as readonly string[]).includes(file.type)) return t.documents.wrongType;
  if (file.size > MAX_DOCUMENT_BYTES) return t.documents.tooLarge(`${MAX_DOCUMENT_BYTES / (1024 * 1024)} MB`);
  if (file.size === 0) return t.documents.chooseFile;
  return undefined;
}
