import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { ApiError } from '../runtime/kube.js';
import { createLogger } from '../runtime/logger.js';
import { OperatorMetrics } from '../runtime/metrics.js';
import { WorkQueue } from '../runtime/workqueue.js';
import { appliedAtGeneration, reconcileResult, reportReconcile } from './controller.js';
import type { PlatformResource } from './platform.js';

const conflict = (): Error =>
  new Error('write status of team/acme', {
    cause: new ApiError('apply kycplatforms/acme: 409 the object has been modified', 409, 'Conflict'),
  });

/** A debug-level logger whose lines the test reads back. */
function capturedLogger(): { logger: ReturnType<typeof createLogger>; lines: () => { level: string; msg: string }[] } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const logger = createLogger('debug', stream);
  const lines = (): { level: string; msg: string }[] =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: string; msg: string });
  return { logger, lines };
}

async function reconcileCounts(metrics: OperatorMetrics): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const value of (await metrics.reconciles.get()).values) counts[String(value.labels.result)] = value.value;
  return counts;
}

describe('reconcileResult', () => {
  it('when a pass fails with a 409 anywhere in its causes, then it is a conflict, not an error', () => {
    expect(reconcileResult({ error: conflict(), durationMs: 3 })).toBe('conflict');
    expect(reconcileResult({ error: new Error('apply Deployment kyc-gateway', { cause: new ApiError('x', 422) }), durationMs: 3 })).toBe(
      'error',
    );
    expect(reconcileResult({ durationMs: 3, requeueAfterMs: 2_000 })).toBe('requeue');
    expect(reconcileResult({ durationMs: 3 })).toBe('success');
  });
});

describe('reportReconcile', () => {
  it('when a pass hits a conflict, then it is counted as a conflict, logged at debug, and retried', async () => {
    const metrics = new OperatorMetrics();
    const { logger, lines } = capturedLogger();
    let passes = 0;
    const queue = new WorkQueue(
      (): Promise<void> => {
        passes += 1;
        return passes === 1 ? Promise.reject(conflict()) : Promise.resolve();
      },
      { concurrency: 1, backoff: { baseMs: 1, maxMs: 1 }, onResult: reportReconcile(metrics, logger) },
    );
    queue.start();
    queue.add('team/acme');
    for (let waited = 0; passes < 2 && waited < 2_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    await queue.shutdown();

    expect(passes).toBe(2);
    expect(await reconcileCounts(metrics)).toEqual({ conflict: 1, success: 1 });
    expect((await metrics.reconcileErrors.get()).values[0]?.value ?? 0).toBe(0);
    expect(lines().map((l) => [l.level, l.msg])).toEqual([['debug', 'reconcile conflict; retrying']]);
  });

  it('when a pass fails otherwise, then it is an error and a warning', async () => {
    const metrics = new OperatorMetrics();
    const { logger, lines } = capturedLogger();
    reportReconcile(metrics, logger)('team/acme', {
      error: new Error('apply Deployment kyc-gateway', { cause: new ApiError('x', 422) }),
      durationMs: 3,
      retryInMs: 500,
    });

    expect(await reconcileCounts(metrics)).toEqual({ error: 1 });
    expect((await metrics.reconcileErrors.get()).values[0]?.value).toBe(1);
    expect(lines().map((l) => [l.level, l.msg])).toEqual([['warn', 'reconcile failed; retrying']]);
  });
});

describe("appliedAtGeneration (the work queue's first lane)", () => {
  const at = (generation: number | undefined, observed: number | undefined): PlatformResource =>
    ({
      metadata: { name: 'p', namespace: 'ns', ...(generation === undefined ? {} : { generation }) },
      ...(observed === undefined ? {} : { status: { observedGeneration: observed } }),
    }) as PlatformResource;

  it('is true only for a platform whose status says its current generation was applied', () => {
    expect(appliedAtGeneration(at(3, 3))).toBe(true);
    expect(appliedAtGeneration(at(1, undefined))).toBe(false); // a first pass
    expect(appliedAtGeneration(at(4, 3))).toBe(false); // a new spec: a full pass, in arrival order
    expect(appliedAtGeneration(at(undefined, undefined))).toBe(false);
    expect(appliedAtGeneration(undefined)).toBe(false); // deleted: its last pass is not urgent
  });
});
