// The store contract against the in-memory store, so the fake the use cases' tests stand on behaves
// like PostgreSQL (the same cases run against it in test/integration/workloads/kyc-store.test.ts).
import { describe } from '@jest/globals';
import { MemoryStore } from './memory-store.js';
import { kycStoreContract } from './store-contract.js';

describe('MemoryStore', () => {
  kycStoreContract(() => Promise.resolve({ store: new MemoryStore(() => new Date()), close: () => Promise.resolve() }));
});
