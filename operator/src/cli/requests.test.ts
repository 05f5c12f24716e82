import { describe, expect, it } from '@jest/globals';
import type { ReleaseStatus } from '../api/types.js';
import { decideRequest } from './requests.js';
import { NOW, releasedPlatform, SCALING_DOWN } from './testing/platforms.js';

const before = (phase: ReleaseStatus['phase']): ReleaseStatus => ({
  phase,
  activeColor: 'blue',
  activeVersion: '1.4.2',
  previewColor: 'green',
  previewVersion: '1.4.3',
  startedAt: '2026-12-05T16:29:12Z',
});

describe('decideRequest', () => {
  it('when a release awaits promotion, then promote sets kyc.dev/promote=true', () => {
    expect(decideRequest('promote', releasedPlatform(before('AwaitingPromotion')), NOW)).toEqual({
      ok: true,
      change: { kind: 'annotate', annotation: 'kyc.dev/promote' },
      message: 'KycPlatform kyc-test/acme: promotion requested; the operator switches every active Service to green (version 1.4.3)',
    });
  });

  it('when the preview is still coming up, then promote is requested ahead (the model reads it in AwaitingPromotion)', () => {
    for (const phase of ['Deploying', 'Verifying'] as const) {
      const decision = decideRequest('promote', releasedPlatform(before(phase)), NOW);
      expect(decision).toMatchObject({ ok: true, change: { kind: 'annotate', annotation: 'kyc.dev/promote' } });
      expect(decision.message).toContain(`once the preview is Available and its smoke check passed (now ${phase})`);
    }
  });

  it('when a release was aborted, then promote retries the same version, but not once spec.version moved on', () => {
    expect(decideRequest('promote', releasedPlatform(before('Aborted')), NOW)).toMatchObject({
      ok: true,
      message: expect.stringContaining('retry requested; the operator releases version 1.4.3 again') as unknown,
    });
    const moved = releasedPlatform(before('Aborted'));
    moved.spec.version = '1.4.4';
    expect(decideRequest('promote', moved, NOW)).toMatchObject({
      ok: false,
      message: expect.stringContaining('spec.version is now 1.4.4') as unknown,
    });
  });

  it.each([
    ['Switching', 'already promoted, switching to green (version 1.4.3)'],
    ['ScalingDown', 'already promoted, green serves 1.4.3; to undo: kubectl kyc rollback'],
    ['Idle', 'no release to promote (Idle: '],
  ] as const)('refuses promote in %s', (phase, message) => {
    const release = phase === 'ScalingDown' ? SCALING_DOWN : before(phase);
    expect(decideRequest('promote', releasedPlatform(release), NOW)).toEqual({
      ok: false,
      message: `KycPlatform kyc-test/acme: ${message}${phase === 'Idle' ? ')' : ''}`,
    });
  });

  it('aborts in every phase before the switch with kyc.dev/abort=true, and refuses after it', () => {
    for (const phase of ['Deploying', 'Verifying', 'AwaitingPromotion', 'Switching'] as const) {
      expect(decideRequest('abort', releasedPlatform(before(phase)), NOW)).toMatchObject({
        ok: true,
        change: { kind: 'annotate', annotation: 'kyc.dev/abort' },
        message: expect.stringContaining('the operator scales the preview green (version 1.4.3) down, blue keep serving 1.4.2') as unknown,
      });
    }
    expect(decideRequest('abort', releasedPlatform(SCALING_DOWN), NOW)).toMatchObject({
      ok: false,
      message: expect.stringContaining('kubectl kyc rollback') as unknown,
    });
    expect(decideRequest('abort', releasedPlatform({ ...before('Aborted'), failureReason: 'AbortRequested' }), NOW)).toMatchObject({
      ok: false,
      message: expect.stringContaining('aborted already (AbortRequested)') as unknown,
    });
  });

  it('when the old colour is still up, then rollback sets spec.version back to it, guarded by the current version', () => {
    expect(decideRequest('rollback', releasedPlatform(SCALING_DOWN), NOW)).toEqual({
      ok: true,
      change: { kind: 'version', from: '1.4.3', to: '1.4.2' },
      message: 'KycPlatform kyc-test/acme: spec.version set back to 1.4.2; the operator switches every active Service back to blue at once',
    });
  });

  it('when the rollback window has passed, then rollback says the old version is released again as an ordinary release', () => {
    const late = new Date(Date.parse(SCALING_DOWN.scaleDownAt ?? '') + 1000);
    expect(decideRequest('rollback', releasedPlatform(SCALING_DOWN), late)).toMatchObject({
      ok: true,
      change: { kind: 'version', from: '1.4.3', to: '1.4.2' },
      message: expect.stringContaining(
        'the rollback window closed at 2026-12-05T16:31:05Z, so it is released as an ordinary blue-green release',
      ) as unknown,
    });
  });

  it('before the switch, rollback returns spec.version to the active version (the release is cancelled)', () => {
    for (const phase of ['Deploying', 'AwaitingPromotion', 'Aborted'] as const) {
      expect(decideRequest('rollback', releasedPlatform(before(phase)), NOW)).toMatchObject({
        ok: true,
        change: { kind: 'version', from: '1.4.3', to: '1.4.2' },
        message: expect.stringContaining('the release of 1.4.3 is cancelled and blue keep serving') as unknown,
      });
    }
  });

  it('refuses rollback with nothing to go back to: Idle, a migration from before blue-green, no blue-green at all', () => {
    expect(
      decideRequest(
        'rollback',
        releasedPlatform({ phase: 'Idle', activeColor: 'green', activeVersion: '1.4.3', finishedAt: '2026-12-05T16:00:00Z' }),
        NOW,
      ),
    ).toMatchObject({
      ok: false,
      message: expect.stringContaining(
        'the previous colour was scaled down at 2026-12-05T16:00:00Z; an older version is an ordinary release',
      ) as unknown,
    });
    expect(decideRequest('rollback', releasedPlatform({ ...SCALING_DOWN, previousColor: 'legacy' }), NOW)).toMatchObject({
      ok: false,
      message: expect.stringContaining('from before blue-green is not offered') as unknown,
    });
    expect(decideRequest('rollback', releasedPlatform(null), NOW)).toMatchObject({
      ok: false,
      message: expect.stringContaining(
        'not released blue-green (spec.release): a RollingUpdate platform keeps no rollback target',
      ) as unknown,
    });
    expect(decideRequest('promote', releasedPlatform(null), NOW)).toMatchObject({
      ok: false,
      message: expect.stringContaining('there is no release to promote') as unknown,
    });
  });

  it('refuses every request while the status describes an older generation than the spec', () => {
    const stale = releasedPlatform(before('AwaitingPromotion'));
    stale.metadata.generation = 4;
    for (const kind of ['promote', 'abort', 'rollback'] as const) {
      expect(decideRequest(kind, stale, NOW)).toMatchObject({
        ok: false,
        message: expect.stringContaining('status describes generation 3, spec is at 4') as unknown,
      });
    }
  });
});
