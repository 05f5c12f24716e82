import { describe, expect, it } from '@jest/globals';
import { previewRefusal, type PodLike } from './refusal.js';

const REASON =
  'start-up failed: Error: refused: migration kyc 5 (drop findings) contracts the schema while the active version may still use it: DROP COLUMN';

function pod(color: string, version: string, message: string | undefined, where: 'state' | 'lastState' | 'init' = 'lastState'): PodLike {
  const terminated = message === undefined ? {} : { terminated: { message } };
  const status = where === 'state' ? { state: terminated } : { lastState: terminated };
  return {
    metadata: { labels: { 'kyc.dev/color': color, 'app.kubernetes.io/version': version } },
    status: where === 'init' ? { initContainerStatuses: [{ state: terminated }] } : { containerStatuses: [status] },
  };
}

describe('previewRefusal', () => {
  it('reads the refused migration from a preview pod that crashed on it, from the reason on', () => {
    expect(previewRefusal([pod('green', '2.0.0', REASON)], 'green', '2.0.0')).toBe(
      'migration kyc 5 (drop findings) contracts the schema while the active version may still use it: DROP COLUMN',
    );
    expect(previewRefusal([pod('green', '2.0.0', REASON, 'state')], 'green', '2.0.0')).toMatch(/^migration kyc 5/);
    expect(previewRefusal([pod('green', '2.0.0', REASON, 'init')], 'green', '2.0.0')).toMatch(/^migration kyc 5/);
  });

  it('ignores the active colour, another version and failures a restart may cure', () => {
    expect(previewRefusal([pod('blue', '2.0.0', REASON)], 'green', '2.0.0')).toBeUndefined();
    expect(previewRefusal([pod('green', '1.9.0', REASON)], 'green', '2.0.0')).toBeUndefined();
    expect(
      previewRefusal([pod('green', '2.0.0', 'start-up failed: Error: connect ECONNREFUSED 10.0.0.1:5432')], 'green', '2.0.0'),
    ).toBeUndefined();
    expect(previewRefusal([pod('green', '2.0.0', undefined)], 'green', '2.0.0')).toBeUndefined();
  });

  it('matches the version as the pod label carries it (cut to 63 characters)', () => {
    const long = `2.0.0-${'a'.repeat(80)}`;
    expect(previewRefusal([pod('green', long.slice(0, 63), REASON)], 'green', long)).toMatch(/^migration/);
  });
});
