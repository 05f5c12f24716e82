import { describe, expect, it, jest } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import { PLATFORM_GAUGES, platformSamples } from '../api/platform-metrics.js';
import type { KycPlatform } from '../api/types.js';
import { SCRAPE_CHUNK, platformGaugeText } from './platform-gauges.js';

const ready: KycPlatform = {
  ...platform({}, 'acme'),
  status: {
    phase: 'Ready',
    conditions: [{ type: 'Ready', status: 'True', reason: 'AllReady', message: '', lastTransitionTime: '2026-12-01T10:00:00Z' }],
  },
};
const failing: KycPlatform = {
  ...platform({}, 'beta'),
  status: { phase: 'Failed', scaling: { kyc: { mode: 'Autoscaled', fallback: true } } },
};
const named = (name: string, base: KycPlatform = ready): KycPlatform => ({ ...base, metadata: { ...base.metadata, name } });

/** The text format's families in the order written: each name with its lines (a family's lines must be together). */
function families(text: string): { name: string; lines: string[] }[] {
  const out: { name: string; lines: string[] }[] = [];
  for (const line of text.split('\n')) {
    const help = /^# HELP (\S+) /.exec(line);
    if (help) out.push({ name: help[1] ?? '', lines: [] });
    else if (line && !line.startsWith('#')) out.at(-1)?.lines.push(line);
  }
  return out;
}

describe('platformGaugeText', () => {
  it('writes the platforms it is given, every gauge with its HELP and TYPE, and a deleted platform is gone from the next', () => {
    const first = [...platformGaugeText([ready, failing])].join('');
    expect(first).toContain('kyc_platform_ready{namespace="kyc-test",name="acme"} 1\n');
    expect(first).toContain('kyc_platform_ready{namespace="kyc-test",name="beta"} 0\n');
    expect(first).toContain('kyc_platform_phase{namespace="kyc-test",name="beta",phase="Failed"} 1\n');
    expect(first).toContain('kyc_platform_scaling_fallback{namespace="kyc-test",name="beta",component="kyc"} 1\n');
    expect(first).toContain("# HELP kyc_platform_ready 1 while the platform's Ready condition is True.\n# TYPE kyc_platform_ready gauge\n");
    expect(families(first).map(({ name }) => name)).toEqual(Object.values(PLATFORM_GAUGES).map(({ name }) => name));

    const second = [...platformGaugeText([ready])].join('');
    expect(second).toContain('name="acme"');
    expect(second).not.toContain('name="beta"');
  });

  it("keeps each gauge's lines together across chunks, and computes each platform's samples once for all sixteen gauges", () => {
    const many = Array.from({ length: SCRAPE_CHUNK * 2 + 1 }, (_, i) => named(`p${i}`, i % 2 ? failing : ready));
    const compute = jest.fn(platformSamples);
    const pieces = [...platformGaugeText(many, compute)];
    expect(compute).toHaveBeenCalledTimes(many.length);
    // Written in pieces: a header and one piece per chunk for each gauge with samples.
    expect(pieces.filter((piece) => piece.includes('kyc_platform_ready{'))).toHaveLength(3);
    const written = families(pieces.join(''));
    const readyLines = written.find(({ name }) => name === 'kyc_platform_ready')?.lines;
    expect(readyLines).toHaveLength(many.length);
    expect(readyLines?.at(-1)).toBe('kyc_platform_ready{namespace="kyc-test",name="p200"} 1');
    // Every family once, whatever the number of chunks.
    expect(new Set(written.map(({ name }) => name)).size).toBe(written.length);
  });

  it('escapes what the text format escapes in a label value a spec can set', () => {
    const odd: KycPlatform = {
      ...ready,
      status: {
        scaling: { kyc: { mode: 'Autoscaled', metrics: [{ name: 'a"b\\c\nd', value: 'x', replicas: 2 }] } },
      },
    };
    const text = [...platformGaugeText([odd])].join('');
    expect(text).toContain(
      'kyc_platform_scaling_metric_unavailable{namespace="kyc-test",name="acme",component="kyc",metric="a\\"b\\\\c\\nd"} 1\n',
    );
    // Still one line per sample: the newline in the value did not end the line.
    expect(text.split('\n').filter((line) => line.startsWith('kyc_platform_scaling_metric_replicas'))).toEqual([
      'kyc_platform_scaling_metric_replicas{namespace="kyc-test",name="acme",component="kyc",metric="a\\"b\\\\c\\nd"} 2',
    ]);
  });
});
