// Applicant data as the customer sends it (PATCH /applications/{id}): every field optional, each present
// field validated and normalised, every problem reported against the field that caused it.
import { z } from 'zod';
import { ageInYears } from './risk.js';
import { type Aadhaar, validateAadhaar } from './identity/aadhaar.js';
import { validateCkycNumber, validateDrivingLicence, validatePassport, validateVoterId } from './identity/other-ids.js';
import { type Pan, validatePan } from './identity/pan.js';
import type { Checked } from './identity/result.js';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `pan` or `address.pincode`. */
  readonly field: string;
  readonly message: string;
}

export interface Address {
  readonly line1: string;
  readonly line2?: string;
  readonly city: string;
  readonly state: string;
  readonly pincode: string;
  /** ISO 3166 alpha-2; India unless stated. */
  readonly country: string;
}

/** Validated, normalised applicant data; a field is present only if the patch carried it. */
export interface ApplicantUpdate {
  readonly name?: string;
  readonly dateOfBirth?: string;
  readonly pan?: Pan;
  readonly aadhaar?: Aadhaar;
  readonly address?: Address;
  readonly passport?: string;
  readonly voterId?: string;
  readonly drivingLicence?: string;
  readonly ckycNumber?: string;
}

/** What is already on the application, for the rules that span fields (PAN 5th letter vs surname). */
export interface StoredApplicant {
  readonly name?: string;
  readonly pan?: string;
}

export const MINIMUM_AGE = 18;
const MAXIMUM_AGE = 120;

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const idString = z.string().max(40, 'must be at most 40 characters');

const addressSchema = z
  .object({
    line1: text(200),
    line2: z.string().trim().max(200, 'must be at most 200 characters').optional(),
    city: text(100),
    state: text(100),
    pincode: z.string().regex(/^[1-9][0-9]{5}$/, 'must be a 6-digit PIN code not starting with 0'),
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166 two-letter country code')
      .transform((c) => c.toUpperCase())
      .optional(),
  })
  .strict();

export const applicantPatchSchema = z
  .object({
    name: text(200).refine((n) => /\p{L}/u.test(n) && !/[\p{C}<>{}[\]\\|@#$%^*_=+~`"]/u.test(n), {
      message: "must contain letters and only the punctuation . ' - ,",
    }),
    dateOfBirth: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'),
    pan: idString,
    aadhaar: idString,
    address: addressSchema,
    passport: idString,
    voterId: idString,
    drivingLicence: idString,
    ckycNumber: idString,
  })
  .partial()
  .strict();

export type ApplicantValidation = { ok: true; value: ApplicantUpdate } | { ok: false; errors: FieldError[] };

export function validateApplicantPatch(body: unknown, stored: StoredApplicant, today: Date): ApplicantValidation {
  const parsed = applicantPatchSchema.safeParse(body);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map(toFieldError) };
  }
  const input = parsed.data;
  if (Object.keys(input).length === 0) {
    return { ok: false, errors: [{ field: 'body', message: 'must contain at least one applicant field' }] };
  }
  const errors: FieldError[] = [];
  const update: { -readonly [K in keyof ApplicantUpdate]: ApplicantUpdate[K] } = {};
  const take = <T>(field: string, checked: Checked<T>, set: (value: T) => void): void => {
    if (checked.ok) set(checked.value);
    else errors.push({ field, message: checked.reason });
  };

  if (input.name !== undefined) update.name = input.name.replace(/\s+/g, ' ');
  if (input.dateOfBirth !== undefined) {
    const problem = dateOfBirthProblem(input.dateOfBirth, today);
    if (problem) errors.push({ field: 'dateOfBirth', message: problem });
    else update.dateOfBirth = input.dateOfBirth;
  }
  if (input.pan !== undefined) {
    take('pan', validatePan(input.pan), (pan) => {
      if (pan.holderType !== 'individual') {
        errors.push({ field: 'pan', message: "PAN must belong to an individual (4th character 'P')" });
      } else update.pan = pan;
    });
  }
  if (input.aadhaar !== undefined) take('aadhaar', validateAadhaar(input.aadhaar), (a) => (update.aadhaar = a));
  if (input.address !== undefined) update.address = { ...input.address, country: input.address.country ?? 'IN' };
  if (input.passport !== undefined) take('passport', validatePassport(input.passport), (v) => (update.passport = v));
  if (input.voterId !== undefined) take('voterId', validateVoterId(input.voterId), (v) => (update.voterId = v));
  if (input.drivingLicence !== undefined) {
    take('drivingLicence', validateDrivingLicence(input.drivingLicence, today), (v) => (update.drivingLicence = v));
  }
  if (input.ckycNumber !== undefined) take('ckycNumber', validateCkycNumber(input.ckycNumber), (v) => (update.ckycNumber = v));

  const crossField = panSurnameProblem(update, stored);
  if (crossField) errors.push(crossField);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: update };
}

/** The last name element is the surname (a single-name individual's PAN uses that one name). */
export function surnameOf(name: string): string {
  const parts = name.trim().split(/\s+/);
  return parts[parts.length - 1] ?? '';
}

function panSurnameProblem(update: ApplicantUpdate, stored: StoredApplicant): FieldError | null {
  const name = update.name ?? stored.name;
  const pan = update.pan?.number ?? stored.pan;
  if (name === undefined || pan === undefined) return null;
  if (validatePan(pan, surnameOf(name)).ok) return null;
  // Blame the field the caller is changing: a new PAN that does not fit the name, or a new name that
  // does not fit the PAN already given.
  const field = update.pan !== undefined ? 'pan' : 'name';
  return { field, message: "PAN 5th character must be the first letter of the applicant's surname" };
}

function dateOfBirthProblem(value: string, today: Date): string | null {
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) return 'is not a real date';
  if (date.getTime() > today.getTime()) return 'is in the future';
  const age = ageInYears(value, today);
  if (age < MINIMUM_AGE) return `applicant must be at least ${MINIMUM_AGE} years old`;
  if (age > MAXIMUM_AGE) return 'is not plausible';
  return null;
}

function toFieldError(issue: z.core.$ZodIssue): FieldError {
  if (issue.code === 'unrecognized_keys') {
    const prefix = issue.path.length > 0 ? `${issue.path.join('.')}.` : '';
    return { field: `${prefix}${issue.keys[0] ?? 'body'}`, message: 'is not a known field' };
  }
  const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
  const message = issue.code === 'invalid_type' ? `must be ${describeType(issue.expected)}` : issue.message;
  return { field, message };
}

function describeType(expected: string): string {
  return expected === 'object' ? 'an object' : `a ${expected}`;
}
