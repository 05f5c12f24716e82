// What a caller is shown: identity numbers masked, the history only to staff, every staff read audited.
import { describe, expect, it } from '@jest/globals';
import { admin, APPLICANT, CONSENT, customer, maker, refusal, useCaseBench } from './testing/use-case-fixtures.js';

describe('Views', () => {
  const bench = useCaseBench();
  it('shows identity numbers masked, never in clear', async () => {
    const { id } = await bench.service.createDraft(customer, CONSENT);
    const view = await bench.service.updateApplicant(customer, id, { ...APPLICANT, passport: 'J8369854' });
    expect(view.applicant).toMatchObject({ pan: 'ABCPRXXXXF', aadhaar: 'XXXX XXXX 2346', passport: 'XXXX9854' });
    expect(JSON.stringify(view)).not.toContain('234123412346');
  });

  it('records every staff read of an application in the audit trail, and no customer read', async () => {
    const { id } = await bench.service.createDraft(customer, CONSENT);
    await bench.service.get(customer, id);
    await bench.service.get(maker, id);
    const view = await bench.service.get(admin, id);
    // The history shown is the application's life; the reads are for auditors.
    expect(view.history?.map((h) => h.action)).toEqual(['create']);
    expect(bench.store.state.audit.filter((a) => a.action === 'read_application').map((a) => [a.actorId, a.actorRole])).toEqual([
      ['maker-1', 'maker'],
      ['admin-1', 'admin'],
    ]);
    // A refused read is not a read.
    expect(await refusal(bench.service.get(maker, 'no-such-id'))).toBe('not_found');
    expect(bench.store.state.audit.filter((a) => a.action === 'read_application')).toHaveLength(2);
  });
});
