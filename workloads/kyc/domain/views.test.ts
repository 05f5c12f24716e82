// What a caller is shown: identity numbers masked, the history only to staff, every staff read audited.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { KycService } from './kyc-service.js';
import { MemoryStore } from './testing/memory-store.js';
import { admin, APPLICANT, CONSENT, customer, maker, refusal, WATCHLIST } from './testing/use-case-fixtures.js';

describe('Views', () => {
  let now: Date;
  let store: MemoryStore;
  let service: KycService;
  const outcomes: string[] = [];

  beforeEach(() => {
    now = new Date('2026-11-26T10:00:00Z');
    store = new MemoryStore(() => now);
    outcomes.length = 0;
    service = new KycService({ store, watchlist: WATCHLIST, clock: () => now, onOutcome: (o) => outcomes.push(o) });
  });

  it('shows identity numbers masked, never in clear', async () => {
    const { id } = await service.createDraft(customer, CONSENT);
    const view = await service.updateApplicant(customer, id, { ...APPLICANT, passport: 'J8369854' });
    expect(view.applicant).toMatchObject({ pan: 'ABCPRXXXXF', aadhaar: 'XXXX XXXX 2346', passport: 'XXXX9854' });
    expect(JSON.stringify(view)).not.toContain('234123412346');
  });

  it('records every staff read of an application in the audit trail, and no customer read', async () => {
    const { id } = await service.createDraft(customer, CONSENT);
    await service.get(customer, id);
    await service.get(maker, id);
    const view = await service.get(admin, id);
    // The history shown is the application's life; the reads are for auditors.
    expect(view.history?.map((h) => h.action)).toEqual(['create']);
    expect(store.state.audit.filter((a) => a.action === 'read_application').map((a) => [a.actorId, a.actorRole])).toEqual([
      ['maker-1', 'maker'],
      ['admin-1', 'admin'],
    ]);
    // A refused read is not a read.
    expect(await refusal(service.get(maker, 'no-such-id'))).toBe('not_found');
    expect(store.state.audit.filter((a) => a.action === 'read_application')).toHaveLength(2);
  });
});
