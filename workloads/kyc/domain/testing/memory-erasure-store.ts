// The erasure store (ErasureStore, domain/erasure.ts) in memory for the erasure and relationship-end unit
// tests; like PostgreSQL's (data-access/pg-erasure-store.ts), the sweeps pass a customer under a legal hold by.
import type { ErasableApplication, ErasureRequestRecord, ErasureTransaction, LegalHold } from '../erasure.js';

/** The erasure store in memory: enough to see what the use cases ask of it. */
export function memoryErasureStore(
  applications: (ErasableApplication & { customerId: string; closedAt?: Date })[],
  now: () => Date = () => new Date(),
) {
  const requests = new Map<string, ErasureRequestRecord>();
  const audit: { applicationId: string; action: string; detail: Record<string, unknown> }[] = [];
  const holds = new Map<string, LegalHold>();
  const published: { type: string; subject: string; data: Record<string, unknown> }[] = [];
  const tx: ErasureTransaction = {
    lockCustomerApplications: (customerId) => Promise.resolve(applications.filter((a) => a.customerId === customerId)),
    eraseApplication: (id, at) => {
      const found = applications.find((a) => a.id === id);
      if (found) Object.assign(found, { erasedAt: at, retainUntil: null });
      return Promise.resolve();
    },
    retainApplication: (id, until) => {
      const found = applications.find((a) => a.id === id);
      if (found) Object.assign(found, { retainUntil: until });
      return Promise.resolve();
    },
    insertRequest: (r) => Promise.resolve(void requests.set(r.id, r)),
    getRequest: (id) => Promise.resolve(requests.get(id) ?? null),
    recordServiceOutcome: (id, service, outcome) => {
      const r = requests.get(id);
      if (!r || r.services[service]?.state === 'completed') return Promise.resolve(undefined);
      requests.set(id, { ...r, services: { ...r.services, [service]: outcome } });
      return Promise.resolve(r.customerId);
    },
    publish: (event) => Promise.resolve(void published.push(event)),
    completeRetainedRequests: (customerId, at) => {
      const pending = applications.some((a) => a.customerId === customerId && a.retainUntil && !a.erasedAt);
      const done = [...requests.values()].filter((r) => r.customerId === customerId && r.state === 'retained' && !pending);
      for (const r of done) requests.set(r.id, { ...r, state: 'completed', completedAt: at });
      return Promise.resolve(done.map((r) => r.id));
    },
    lockClosedBefore: (before) =>
      Promise.resolve(
        applications
          .filter(
            (a) =>
              ['rejected', 'expired', 'cancelled'].includes(a.state) &&
              !a.erasedAt &&
              (a.closedAt ?? now()) < before &&
              !holds.has(a.customerId),
          )
          .map((a) => ({ id: a.id, customerId: a.customerId })),
      ),
    lockRetentionOver: (at) =>
      Promise.resolve(
        applications
          .filter((a) => a.retainUntil && a.retainUntil <= at && !a.erasedAt && !holds.has(a.customerId))
          .map((a) => ({ id: a.id, customerId: a.customerId })),
      ),
    legalHold: (customerId) => Promise.resolve(holds.get(customerId) ?? null),
    placeHold: (hold) => Promise.resolve(void holds.set(hold.customerId, hold)),
    releaseHold: (customerId) => Promise.resolve(holds.delete(customerId)),
    audit: (entry) => Promise.resolve(void audit.push(entry)),
  };
  return { store: { transaction: <T>(work: (t: ErasureTransaction) => Promise<T>) => work(tx) }, requests, audit, applications, published };
}
