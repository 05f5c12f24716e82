// What the use cases' unit tests share: a watchlist, applicant data that passes every rule, the
// callers, the steps that bring an application to `submitted`, and the bench each test runs against.
import { beforeEach } from '@jest/globals';
import { KycError } from '../errors.js';
import { KycService } from '../kyc-service.js';
import { MemoryStore } from './memory-store.js';
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

/** A use-case test's world: the service over a fresh in-memory store, a clock the test moves, and the outcomes counted. */
export interface UseCaseBench {
  now: Date;
  store: MemoryStore;
  service: KycService;
  outcomes: string[];
  /** A complete application of `owner`, submitted; returns its id. */
  submittedApplication(applicant?: Record<string, unknown>, owner?: Caller): Promise<string>;
  /** The types of the events published about application `id`, in order. */
  eventTypes(id: string): string[];
}

/** Registers a `beforeEach` that gives the returned bench a fresh store, service and clock for each test. */
export function useCaseBench(): UseCaseBench {
  const bench = {
    outcomes: [] as string[],
    submittedApplication: (applicant?: Record<string, unknown>, owner?: Caller) => submitApplication(bench.service, applicant, owner),
    eventTypes: (id: string) => eventTypesOf(bench.store, id),
  } as UseCaseBench;
  beforeEach(() => {
    bench.now = new Date('2026-11-26T10:00:00Z');
    bench.store = new MemoryStore(() => bench.now);
    bench.outcomes.length = 0;
    bench.service = new KycService({
      store: bench.store,
      watchlist: WATCHLIST,
      clock: () => bench.now,
      onOutcome: (o) => bench.outcomes.push(o),
    });
  });
  return bench;
}
