import { describe, expect, it } from '@jest/globals';
import {
  APPLICATION_ACTIONS,
  APPLICATION_STATES,
  type Actor,
  type ApplicationState,
  OPEN_STATES,
  TERMINAL_STATES,
  TRANSITIONS,
  allowedStatePairs,
  decideTransition,
  isApplicationState,
} from './application-state.js';
import { checkFourEyes } from './maker-checker.js';

const ALL_ACTORS: Actor[] = ['applicant', 'maker', 'checker', 'admin', 'system'];

describe('application state machine', () => {
  it.each([
    ['draft', 'submit', 'applicant', 'submitted'],
    ['resubmission_required', 'submit', 'applicant', 'submitted'],
    ['submitted', 'start_processing', 'system', 'processing'],
    ['processing', 'fail_checks', 'system', 'rejected'],
    ['processing', 'pass_checks', 'system', 'pending_review'],
    ['pending_review', 'recommend', 'maker', 'pending_approval'],
    ['pending_review', 'request_resubmission', 'maker', 'resubmission_required'],
    ['pending_approval', 'approve', 'checker', 'approved'],
    ['pending_approval', 'reject', 'checker', 'rejected'],
    ['pending_approval', 'return', 'checker', 'pending_review'],
    ['draft', 'expire', 'system', 'expired'],
    ['resubmission_required', 'expire', 'system', 'expired'],
  ] as const)('%s -%s by %s-> %s', (from, action, actor, to) => {
    const decision = decideTransition(from, action, actor);
    expect(decision).toMatchObject({ ok: true, transition: { to } });
  });

  it.each(OPEN_STATES.flatMap((s) => [[s, 'applicant'] as const, [s, 'admin'] as const]))(
    'an open application (%s) can be cancelled by the %s',
    (from, actor) => {
      expect(decideTransition(from, 'cancel', actor)).toMatchObject({ ok: true, transition: { to: 'cancelled' } });
    },
  );

  it.each(TERMINAL_STATES)('nothing leaves the terminal state %s', (from) => {
    for (const action of APPLICATION_ACTIONS) {
      for (const actor of ALL_ACTORS) {
        expect(decideTransition(from, action, actor)).toMatchObject({
          ok: false,
          refusal: { kind: 'illegal_transition' },
        });
      }
    }
  });

  it('refuses the wrong actor with forbidden_actor, not illegal_transition', () => {
    expect(decideTransition('pending_approval', 'approve', 'maker')).toEqual({
      ok: false,
      refusal: { kind: 'forbidden_actor', message: 'a maker cannot approve an application' },
    });
    expect(decideTransition('pending_review', 'recommend', 'checker')).toMatchObject({
      ok: false,
      refusal: { kind: 'forbidden_actor' },
    });
    expect(decideTransition('draft', 'submit', 'admin')).toMatchObject({ ok: false, refusal: { kind: 'forbidden_actor' } });
    expect(decideTransition('processing', 'pass_checks', 'admin')).toMatchObject({ ok: false });
  });

  it('refuses skipping steps', () => {
    expect(decideTransition('draft', 'approve', 'checker')).toMatchObject({ ok: false, refusal: { kind: 'illegal_transition' } });
    expect(decideTransition('submitted', 'pass_checks', 'system')).toMatchObject({ ok: false });
    expect(decideTransition('pending_review', 'approve', 'checker')).toMatchObject({ ok: false });
    expect(decideTransition('draft', 'expire', 'applicant')).toMatchObject({ ok: false });
  });

  it('is deterministic: at most one transition per (state, action)', () => {
    const keys = TRANSITIONS.map((t) => `${t.from}/${t.action}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('reaches every state from draft and names an event of docs/kyc.md for every transition', () => {
    const reached = new Set<ApplicationState>(['draft']);
    let grew = true;
    while (grew) {
      grew = false;
      for (const t of TRANSITIONS) {
        if (reached.has(t.from) && !reached.has(t.to)) {
          reached.add(t.to);
          grew = true;
        }
      }
    }
    expect([...reached].sort()).toEqual([...APPLICATION_STATES].sort());
    for (const t of TRANSITIONS) expect(t.event).toMatch(/^kyc\.application\.[a-z_]+$/);
  });

  it('lists the distinct state pairs for the database guard', () => {
    const pairs = allowedStatePairs();
    expect(pairs).toContainEqual(['pending_approval', 'pending_review']);
    expect(pairs).not.toContainEqual(['approved', 'cancelled']);
    expect(new Set(pairs.map((p) => p.join('>'))).size).toBe(pairs.length);
  });

  it('recognises state names', () => {
    expect(isApplicationState('pending_review')).toBe(true);
    expect(isApplicationState('PENDING_REVIEW')).toBe(false);
    expect(isApplicationState(3)).toBe(false);
  });
});

describe('maker-checker', () => {
  it('lets a different person decide', () => {
    expect(checkFourEyes('maker-1', 'checker-1')).toBeNull();
  });
  it('refuses the maker deciding their own recommendation', () => {
    expect(checkFourEyes('user-7', 'user-7')).toEqual({
      message: 'the checker must be a different person from the maker',
    });
  });
  it('refuses a decision without a recommendation', () => {
    expect(checkFourEyes(null, 'checker-1')).not.toBeNull();
  });
});
