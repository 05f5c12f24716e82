import { describe, expect, it } from '@jest/globals';
import { type ApplicantForChecks, type DocumentForChecks, runAutomaticChecks } from './automatic-checks.js';
import type { WatchlistEntry } from './screening/screening.js';

const today = new Date('2026-11-26T00:00:00Z');
const applicant: ApplicantForChecks = {
  name: 'Kavya Raghunathan',
  dateOfBirth: '1990-05-17',
  pan: 'ABCPR1234F',
  aadhaar: '234123412346',
  addressCountry: 'IN',
  voterId: 'WKH1186253',
};
const documents: DocumentForChecks[] = [
  { id: 'd1', type: 'passport', contentType: 'application/pdf', head: Buffer.from('%PDF-1.7') },
  { id: 'd2', type: 'pan_card', contentType: 'image/png', head: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
];
const watchlist: WatchlistEntry[] = [
  { id: 'S-1', kind: 'sanction', source: 'test', type: 'individual', name: 'Salim Memonwala', aliases: [], programme: 'p' },
  { id: 'P-1', kind: 'pep', source: 'test', type: 'individual', name: 'Kavya Raghunathan Iyer', aliases: [], programme: 'p' },
];

const statuses = (outcome: ReturnType<typeof runAutomaticChecks>) => Object.fromEntries(outcome.results.map((r) => [r.check, r.status]));

describe('automatic checks', () => {
  it('sends a clean application to review with low risk', () => {
    const outcome = runAutomaticChecks(applicant, documents, [], watchlist.slice(0, 1), today);
    expect(outcome.decision).toBe('review');
    expect(statuses(outcome)).toEqual({
      document_formats: 'passed',
      pan: 'passed',
      aadhaar: 'passed',
      identity_documents: 'passed',
      sanctions_screening: 'passed',
      duplicates: 'passed',
      risk: 'passed',
    });
    expect(outcome.risk.category).toBe('low');
  });

  it('rejects a sanctions match at or above 0.95', () => {
    const outcome = runAutomaticChecks({ ...applicant, name: 'Salim Memonwala', pan: 'ABCPM1234F' }, documents, [], watchlist, today);
    expect(outcome.decision).toBe('reject');
    expect(statuses(outcome).sanctions_screening).toBe('failed');
    expect(outcome.screening?.band).toBe('block');
  });

  it('rejects invalid identity numbers and documents that are not what they claim', () => {
    expect(runAutomaticChecks({ ...applicant, aadhaar: '234123412347' }, documents, [], [], today).decision).toBe('reject');
    expect(runAutomaticChecks({ ...applicant, pan: 'ABCPX1234F' }, documents, [], [], today).decision).toBe('reject');
    const wrongVoterId = runAutomaticChecks({ ...applicant, voterId: 'WKH1186254' }, documents, [], [], today);
    expect(statuses(wrongVoterId).identity_documents).toBe('failed');
    const fakePdf: DocumentForChecks = { id: 'd3', type: 'passport', contentType: 'application/pdf', head: Buffer.from('MZ\x90\x00') };
    const outcome = runAutomaticChecks(applicant, [...documents, fakePdf], [], [], today);
    expect(outcome.decision).toBe('reject');
    expect(outcome.results.find((r) => r.check === 'document_formats')?.detail).toContain('d3');
  });

  it('flags a PEP match and a shared identity for the reviewer, with high risk', () => {
    const outcome = runAutomaticChecks(
      applicant,
      documents,
      [{ applicationId: 'other', matchedOn: ['pan'], sameCustomer: false }],
      watchlist,
      today,
    );
    expect(outcome.decision).toBe('review');
    expect(statuses(outcome)).toMatchObject({ sanctions_screening: 'flagged', duplicates: 'flagged', risk: 'flagged' });
    expect(outcome.risk.category).toBe('high');
  });

  it('when screening is switched off, then nothing is screened or rejected: the application goes to a reviewer with screening flagged', () => {
    const sanctioned = runAutomaticChecks({ ...applicant, name: 'Salim Memonwala', pan: 'ABCPM1234F' }, documents, [], watchlist, today, {
      screening: false,
    });
    expect(sanctioned.screening).toBeNull();
    expect(sanctioned.decision).toBe('review');
    expect(sanctioned.results.find((r) => r.check === 'sanctions_screening')).toMatchObject({
      status: 'flagged',
      detail: expect.stringContaining('switched off'),
    });
    const badPan = runAutomaticChecks({ ...applicant, pan: 'ABCPX1234F' }, documents, [], [], today, { screening: false });
    expect(statuses(badPan).pan).toBe('failed');
    expect(badPan.decision).toBe('review');
  });
});
