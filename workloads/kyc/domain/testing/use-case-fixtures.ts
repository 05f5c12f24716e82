// What the use cases' unit tests share: a watchlist, applicant data that passes every rule, the
// callers, and the steps that bring an application to `submitted`.
import { KycError } from '../errors.js';
import type { KycService } from '../kyc-service.js';
import type { MemoryStore } from './memory-store.js';
import type { WatchlistEntry } from '../screening/screening.js';
import type { Caller } from '../use-case-context.js';

export const WATCHLIST: WatchlistEntry[] = [
  { id: 'S-1', kind: 'sanction', source: 'test', type: 'individual', name: 'Salim Memonwala', aliases: [], programme: 'p' },
];
export const APPLICANT = {
  name: 'Kavya Raghunathan',
  dateOfBirth: '1990-05-17',
  pan: 'ABCPR1234F',
  aadhaar: '234123412346',
  address: { line1: '12 MG Road', city: 'Bengaluru', state: 'Karnataka', pincode: '560001' },
};
export const PDF = { type: 'passport', contentType: 'application/pdf', content: Buffer.from('%PDF-1.7 x').toString('base64') };
export const PAN_CARD = { type: 'pan_card', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4 y').toString('base64') };
export const CONSENT = { consent: { purposes: ['kyc_verification'], noticeVersion: 'v1' } };

export const customer: Caller = { id: 'cust-1', role: 'customer' };
export const stranger: Caller = { id: 'cust-2', role: 'customer' };
export const maker: Caller = { id: 'maker-1', role: 'maker' };
export const checker: Caller = { id: 'checker-1', role: 'checker' };
export const admin: Caller = { id: 'admin-1', role: 'admin' };

/** The kind of the KycError `work` is refused with. */
export const refusal = async (work: Promise<unknown>): Promise<string> => {
  try {
    await work;
  } catch (error) {
    if (error instanceof KycError) return error.kind;
    throw error;
  }
  throw new Error('expected a refusal');
};

/** A complete application of `owner`, submitted; returns its id. */
export async function submitApplication(
  service: KycService,
  applicant: Record<string, unknown> = APPLICANT,
  owner = customer,
): Promise<string> {
  const { id } = await service.createDraft(owner, CONSENT);
  await service.updateApplicant(owner, id, applicant);
  await service.uploadDocument(owner, id, PDF);
  await service.uploadDocument(owner, id, PAN_CARD);
  await service.submit(owner, id);
  return id;
}

/** The types of the events published about application `id`, in order. */
export const eventTypesOf = (store: MemoryStore, id: string): string[] =>
  store.state.events.filter((e) => e.subject === id).map((e) => e.type);
