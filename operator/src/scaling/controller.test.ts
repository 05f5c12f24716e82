import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import { planScaling, METRICS_STATUS_REFRESH_MS } from './controller.js';

describe('planScaling', () => {
  const p = platform({
    autoscaling: {
      schedules: [
        { name: 'business-hours', timezone: 'Asia/Kolkata', start: '09:00', end: '18:00', minReplicas: 6, components: ['kyc', 'gateway'] },
      ],
    },
    components: { gateway: { autoscaling: { enabled: false } } },
  });

  it('raises the floor of the autoscaled components inside the window and wakes up at the next minute', () => {
    const plan = planScaling(p, new Date('2026-11-26T04:00:30Z')); // 09:30:30 IST
    expect(plan.minReplicasFloor).toEqual({ kyc: 6 });
    expect(plan.requeueAfterMs).toBe(30_000 + 1000);
    expect(plan.stamp).toBe('{"kyc":6}');
  });

  it('has no floor outside the window', () => {
    expect(planScaling(p, new Date('2026-11-26T13:00:00Z')).minReplicasFloor).toEqual({});
  });

  it('refreshes the status of platforms with custom metrics, and leaves others alone', () => {
    expect(planScaling(platform({ autoscaling: { metrics: { requestRate: { targetPerReplica: 5 } } } }), new Date()).requeueAfterMs).toBe(
      METRICS_STATUS_REFRESH_MS,
    );
    expect(planScaling(platform({}), new Date()).requeueAfterMs).toBeUndefined();
  });
});
