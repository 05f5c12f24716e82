import { describe, expect, it } from '@jest/globals';
import { OperatorMetrics } from './metrics.js';

describe('OperatorMetrics', () => {
  it('with process metrics, exports them under their standard names; without, none', async () => {
    const names = async (metrics: OperatorMetrics) => (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);
    const withProcess = await names(new OperatorMetrics({ processMetrics: true }));
    expect(withProcess).toEqual(
      expect.arrayContaining(['process_cpu_seconds_total', 'nodejs_eventloop_lag_p99_seconds', 'kyc_operator_leader']),
    );
    expect(withProcess.filter((name) => name.startsWith('kyc_operator_process') || name.startsWith('kyc_operator_nodejs'))).toEqual([]);
    expect((await names(new OperatorMetrics())).filter((name) => name.startsWith('process_') || name.startsWith('nodejs_'))).toEqual([]);
  });
});
