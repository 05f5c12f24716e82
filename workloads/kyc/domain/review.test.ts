import { describe, expect, it } from '@jest/globals';
import { parseDecision, parseRecommendation, parseResubmissionRequest } from './review.js';

const fields = (r: { ok: boolean; errors?: Array<{ field: string }> }) => (r.ok ? [] : (r.errors ?? []).map((e) => e.field));

describe('reviewer inputs', () => {
  it('parses a recommendation', () => {
    expect(parseRecommendation({ recommendation: 'approve', note: ' documents match ' })).toEqual({
      ok: true,
      value: { recommendation: 'approve', note: 'documents match' },
    });
    expect(fields(parseRecommendation({}))).toEqual(['recommendation']);
    expect(fields(parseRecommendation({ recommendation: 'maybe' }))).toEqual(['recommendation']);
    expect(fields(parseRecommendation({ recommendation: 'reject', note: 5 }))).toEqual(['note']);
    expect(fields(parseRecommendation({ recommendation: 'reject', note: 'x'.repeat(1001) }))).toEqual(['note']);
    expect(fields(parseRecommendation([1]))).toEqual(['body', 'recommendation']);
  });

  it('parses a resubmission request', () => {
    expect(parseResubmissionRequest({ reason: 'photo unreadable', documents: ['passport'] })).toEqual({
      ok: true,
      value: { reason: 'photo unreadable', documents: ['passport'] },
    });
    expect(fields(parseResubmissionRequest({ documents: ['passport'] }))).toEqual(['reason']);
    expect(fields(parseResubmissionRequest({ reason: 'x', documents: ['selfie'] }))).toEqual(['documents']);
    expect(fields(parseResubmissionRequest({ reason: 'x', extra: 1 }))).toEqual(['extra']);
  });

  it('when a note or reason holds a control character or an unpaired surrogate, then it names the field (jsonb refuses them)', () => {
    expect(fields(parseRecommendation({ recommendation: 'approve', note: 'fine\u0000' }))).toEqual(['note']);
    expect(fields(parseResubmissionRequest({ reason: 'scan\u0007unreadable' }))).toEqual(['reason']);
    expect(fields(parseDecision({ reason: 'x\ud800' }, true))).toEqual(['reason']);
    expect(fields(parseDecision({ reason: '\u009b' }, true))).toEqual(['reason']);
    // Tabs, line breaks and any real character stay allowed.
    expect(parseDecision({ reason: 'line one\nline two\tand 😀 करें' }, true).ok).toBe(true);
  });

  it('needs a reason to reject or return, not to approve', () => {
    expect(parseDecision(undefined, false)).toEqual({ ok: true, value: {} });
    expect(parseDecision({}, false)).toEqual({ ok: true, value: {} });
    expect(fields(parseDecision({}, true))).toEqual(['reason']);
    expect(parseDecision({ reason: 'address mismatch' }, true)).toEqual({ ok: true, value: { reason: 'address mismatch' } });
    expect(fields(parseDecision('no', false))).toEqual(['body']);
  });
});
