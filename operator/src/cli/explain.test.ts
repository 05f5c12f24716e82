import { describe, expect, it } from '@jest/globals';
import { explainScaling, formatExplanation } from './explain.js';
import { painter } from './paint.js';
import { KYC_SCALING, NOW, releasedPlatform } from './testing/platforms.js';

describe('explainScaling', () => {
  it("puts the operator's decision beside the spec's inputs: bounds, targets, fallback, and the schedules with their state now", () => {
    const explanation = explainScaling(releasedPlatform(), ['kyc'], NOW);
    expect(explanation.components).toEqual([
      {
        component: 'kyc',
        decision: KYC_SCALING,
        inputs: {
          autoscaling: expect.objectContaining({
            enabled: true,
            minReplicas: 3,
            maxReplicas: 20,
            targetCPUUtilizationPercentage: 70,
          }) as unknown,
          fixedReplicas: undefined,
          schedules: [expect.objectContaining({ name: 'business-hours', open: false }) as unknown],
          fallback: { threshold: 3, replicas: 6 },
        },
      },
    ]);
    expect(explanation.conditions.map((c) => c.type)).toEqual(['ScalingActive']);
  });

  it('opens a schedule window in its own time zone (16:30 UTC is 22:00 in Kolkata; 05:00 UTC is 10:30)', () => {
    const morning = new Date('2026-12-07T05:00:00Z');
    expect(explainScaling(releasedPlatform(), ['kyc'], morning).components[0]?.inputs.schedules[0]?.open).toBe(true);
    expect(explainScaling(releasedPlatform(), ['gateway'], morning).components[0]?.inputs.schedules).toEqual([]);
  });

  it('reads as text: decision, replicas, each metric, inputs and the schedule', () => {
    const text = formatExplanation(explainScaling(releasedPlatform(), ['gateway', 'kyc'], NOW), painter(false));
    expect(text).toBe(
      [
        'Scaling of KycPlatform kyc-test/acme',
        '',
        'gateway  Fixed',
        '  decision: fixed at 2 replicas',
        '  replicas: 2 (fixed)',
        '  inputs: autoscaling off, spec replicas 2',
        '',
        'kyc  Autoscaled',
        '  decision: kafka lag 420 / 100 per pod → 5',
        '  replicas: min 3, max 20, HPA current 4, desired 5',
        '  metric kafka-consumer-lag: 420 against 100 per pod → 5 replicas (kafka lag 420 / 100 per pod → 5)',
        '  inputs: min 3, max 20, CPU 70 %, memory 80 %, scale-down stabilisation 300 s, fallback 6 after 3 failures',
        '  schedule business-hours: every day 09:00–18:00 Asia/Kolkata → min 6 (closed now)',
        '',
        'ScalingActive=True  ValidMetricFound: the HPAs read their metrics',
        '',
      ].join('\n'),
    );
  });

  it('names a fallback in force, a metric that cannot be read, and a component without a decision yet', () => {
    const platform = releasedPlatform(undefined, {
      scaling: {
        kyc: {
          ...KYC_SCALING,
          fallback: true,
          metrics: [{ name: 'kafka-consumer-lag', target: '100 per pod', message: 'connect ECONNREFUSED' }],
        },
      },
    });
    const text = formatExplanation(explainScaling(platform, ['gateway', 'kyc'], NOW), painter(false));
    expect(text).toContain('gateway  no decision recorded yet');
    expect(text).toContain('fallback in force: the metrics keep failing, the fallback replica count holds');
    expect(text).toContain('metric kafka-consumer-lag: unreadable against 100 per pod (connect ECONNREFUSED)');
  });
});
