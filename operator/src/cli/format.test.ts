import { describe, expect, it } from '@jest/globals';
import type { ReleaseStatus } from '../api/types.js';
import { conditionTone, formatStatus, releaseTimings, renderTree } from './format.js';
import { painter } from './paint.js';
import { summarize } from './summary.js';
import { NOW, releasedDeployments, releasedPlatform, SCALING_DOWN } from './testing/platforms.js';

const plain = painter(false);

describe('formatStatus', () => {
  it('draws the release, the components with their colours and scaling decisions, and the conditions as a tree', () => {
    expect(formatStatus(summarize(releasedPlatform(), releasedDeployments()), NOW, plain)).toBe(
      [
        'KycPlatform kyc-test/acme  Ready  version 1.4.3 (green)  2/2 components ready',
        '├── Release  ScalingDown  active green 1.4.3 · previous blue 1.4.2',
        '│   ├── green serves version 1.4.3; blue scales down at 2026-12-05T16:31:05Z',
        '│   ├── started 1m29s ago · switched +52s · scale-down in 24s · in ScalingDown for 37s',
        '│   └── roll back instantly until scale-down: kubectl kyc rollback acme',
        '├── Components',
        '│   ├── ✔ gateway  2/2 ready  Fixed 2: fixed at 2 replicas',
        '│   │   ├── green  2/2  1.4.3  active',
        '│   │   └── blue   2/2  1.4.2  previous',
        '│   └── ✔ kyc      4/4 ready  Autoscaled 3–20 (HPA 4 → 5): kafka lag 420 / 100 per pod → 5',
        '│       ├── green  4/4  1.4.3  active',
        '│       └── blue   4/4  1.4.2  previous',
        '└── Conditions',
        '    ├── ✔ Ready          True   AllComponentsReady: 2/2 components ready at version 1.4.3 (36s ago)',
        '    ├── ✔ Degraded       False  AsExpected: no problems found (1h30m ago)',
        '    ├── ✔ ReleaseFailed  False  AsExpected: no failed release (1h30m ago)',
        '    └── ✔ ScalingActive  True   ValidMetricFound: the HPAs read their metrics (1h30m ago)',
        '',
      ].join('\n'),
    );
  });

  it('colours phases, colours and condition marks for a terminal, and nothing without colour', () => {
    const coloured = formatStatus(summarize(releasedPlatform(), releasedDeployments()), NOW, painter(true));
    expect(coloured).toContain('\x1b[32mScalingDown\x1b[0m');
    expect(coloured).toContain('previous \x1b[34mblue\x1b[0m 1.4.2');
    expect(coloured).toContain('\x1b[32m✔\x1b[0m Ready');
    expect(formatStatus(summarize(releasedPlatform(), releasedDeployments()), NOW, plain)).not.toContain('\x1b[');
  });

  it('when a release was aborted, then it says why, in red, and how to retry or go back', () => {
    const aborted: ReleaseStatus = {
      phase: 'Aborted',
      activeColor: 'blue',
      activeVersion: '1.4.2',
      previewColor: 'green',
      previewVersion: '1.4.3',
      startedAt: '2026-12-05T16:20:00Z',
      previewReadyAt: '2026-12-05T16:20:40Z',
      phaseStartedAt: '2026-12-05T16:21:00Z',
      finishedAt: '2026-12-05T16:21:00Z',
      smokeCheckFailures: 4,
      failureReason: 'SmokeCheckFailed',
      message: 'release of 1.4.3 aborted: GET /ready answered 503',
    };
    const text = formatStatus(summarize(releasedPlatform(aborted), []), NOW, painter(true));
    expect(text).toContain('\x1b[31mAborted\x1b[0m  active \x1b[34mblue\x1b[0m 1.4.2 · preview \x1b[32mgreen\x1b[0m 1.4.3');
    expect(text).toContain('\x1b[31mfailed: SmokeCheckFailed\x1b[0m');
    expect(text).toContain('smoke check failed 4 time(s)');
    expect(text).toContain('retry with: kubectl kyc promote acme; or return to 1.4.2: kubectl kyc rollback acme');
  });

  it('shows a requested promotion that the operator has not acted on yet, and a status behind the spec', () => {
    const platform = releasedPlatform({ ...SCALING_DOWN, phase: 'AwaitingPromotion', previewColor: 'green', previewVersion: '1.4.4' });
    platform.metadata.annotations = { 'kyc.dev/promote': 'true' };
    platform.metadata.generation = 4;
    const text = formatStatus(summarize(platform, []), NOW, plain);
    expect(text).toContain('kyc.dev/promote=true requested, not yet acted upon');
    expect(text).toContain('next: kubectl kyc promote acme (or abort)');
    expect(text).toContain('status of generation 3, spec at 4');
    expect(text).toContain('→ 1.4.4');
  });

  it('says so for a platform without blue-green and for one the operator has not reported on yet', () => {
    const fresh = releasedPlatform(null, { components: undefined, scaling: undefined, conditions: undefined, phase: undefined });
    const text = formatStatus(summarize(fresh, []), NOW, plain);
    expect(text).toContain('KycPlatform kyc-test/acme  Unknown  version ?');
    expect(text).toContain('Release  not blue-green: each component rolls in place');
    expect(text.match(/none reported yet/g)).toHaveLength(2);
  });
});

describe('releaseTimings', () => {
  it('gives each step of the running release as an offset from its start', () => {
    expect(
      releaseTimings(
        {
          phase: 'AwaitingPromotion',
          startedAt: '2026-12-05T16:29:12Z',
          previewReadyAt: '2026-12-05T16:29:53Z',
          verifiedAt: '2026-12-05T16:29:57Z',
          phaseStartedAt: '2026-12-05T16:29:57Z',
        },
        NOW,
      ),
    ).toBe('started 1m29s ago · preview ready +41s · verified +45s · in AwaitingPromotion for 44s');
  });

  it('gives the times of a finished release relative to now', () => {
    expect(
      releaseTimings({ phase: 'Idle', switchedAt: '2026-12-05T16:00:04Z', finishedAt: '2026-12-05T16:00:35Z', phaseStartedAt: 'x' }, NOW),
    ).toBe('switched 30m37s ago · finished 30m06s ago');
    expect(releaseTimings({ phase: 'Idle' }, NOW)).toBeUndefined();
  });
});

describe('conditionTone', () => {
  it.each([
    ['Ready', 'True', 'good'],
    ['Ready', 'False', 'bad'],
    ['Degraded', 'True', 'bad'],
    ['Degraded', 'False', 'good'],
    ['ScalingDegraded', 'True', 'bad'],
    ['ReleaseFailed', 'False', 'good'],
    ['Progressing', 'True', 'busy'],
    ['ReleaseProgressing', 'False', 'good'],
    ['SecretsVerified', 'False', 'bad'],
    ['Ready', 'Unknown', 'busy'],
  ] as const)('%s=%s is %s', (type, status, tone) => {
    expect(conditionTone({ type, status })).toBe(tone);
  });

  it('mutes ScalingActive=False when nothing is autoscaled (not a failure)', () => {
    expect(conditionTone({ type: 'ScalingActive', status: 'False', reason: 'NotAutoscaled' })).toBe('muted');
    expect(conditionTone({ type: 'ScalingActive', status: 'False', reason: 'FailedGetExternalMetric' })).toBe('bad');
  });
});

describe('renderTree', () => {
  it('continues the branch of a parent that has siblings below it', () => {
    expect(
      renderTree({
        text: 'root',
        children: [
          { text: 'a', children: [{ text: 'a1' }] },
          { text: 'b', children: [{ text: 'b1' }] },
        ],
      }),
    ).toEqual(['root', '├── a', '│   └── a1', '└── b', '    └── b1']);
  });
});

describe('the backup in status', () => {
  it('when status.backup is set, then a Backup node with its id, size, counts, age and object; absent without one', () => {
    const platform = releasedPlatform();
    const withBackup = {
      ...platform,
      status: {
        ...platform.status,
        backup: {
          lastSuccessfulTime: new Date(NOW.getTime() - 3_600_000).toISOString(),
          id: '2026-12-05T15-00-00-123Z',
          bucket: 'kyc-backups',
          key: 'acme/2026-12-05T15-00-00-123Z/data.kycbak',
          bytes: 73_000_000,
          tables: 21,
          rows: 173_927,
        },
      },
    };
    const lines = formatStatus(summarize(withBackup, releasedDeployments()), NOW, plain).split('\n');
    const at = lines.findIndex((line) => line.includes('Backup'));
    expect(lines[at]).toBe('├── Backup  2026-12-05T15-00-00-123Z  69.6 MiB  21 tables, 173927 rows  (1h00m ago)');
    expect(lines[at + 1]).toBe('│   └── s3://kyc-backups/acme/2026-12-05T15-00-00-123Z/data.kycbak');
    expect(lines[at + 2]).toBe('└── Conditions');
    expect(formatStatus(summarize(platform, releasedDeployments()), NOW, plain)).not.toContain('Backup');
  });
});
