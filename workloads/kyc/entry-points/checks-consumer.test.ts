import { describe, expect, it } from '@jest/globals';
import { createLogger, memoryDestination, newEvent } from '../../shared/index.js';
import { handleErasureOutcome, handleSubmitted } from './checks-consumer.js';

const logger = createLogger({ component: 'test', level: 'silent', destination: memoryDestination() });
const submitted = newEvent('kyc.application.submitted', 'app-1', { applicationId: 'app-1', ownerId: 'user-1' }, 'user-1');

function stub(failures: number) {
  const calls = { runChecks: 0, referred: [] as Array<{ id: string; attempts: number; error: string }> };
  return {
    calls,
    service: {
      runChecks: (id: string): Promise<'done' | 'skipped'> => {
        calls.runChecks += 1;
        return calls.runChecks <= failures ? Promise.reject(new Error(`boom ${id}`)) : Promise.resolve('done');
      },
      referForManualReview: (id: string, reason: { attempts: number; error: string }): Promise<'done' | 'skipped'> => {
        calls.referred.push({ id, attempts: reason.attempts, error: reason.error });
        return Promise.resolve('done');
      },
    },
  };
}

describe('handleSubmitted', () => {
  it('when the checks succeed after failures, then no referral is made', async () => {
    const { service, calls } = stub(3);
    expect(await handleSubmitted(submitted, service, logger, { backoffMs: 0 })).toBe('done');
    expect(calls.runChecks).toBe(4);
    expect(calls.referred).toEqual([]);
  });

  it('when the checks fail five times, then the application is referred to manual review with the last error', async () => {
    const { service, calls } = stub(Infinity);
    expect(await handleSubmitted(submitted, service, logger, { backoffMs: 0 })).toBe('referred');
    expect(calls.runChecks).toBe(5);
    expect(calls.referred).toEqual([{ id: 'app-1', attempts: 5, error: 'Error: boom app-1' }]);
  });

  it('when PostgreSQL is away, then nothing is referred and the failure goes back to the consumer, which waits it out', async () => {
    const { service, calls } = stub(0);
    service.runChecks = () => {
      calls.runChecks += 1;
      return Promise.reject(Object.assign(new Error('the database system is shutting down'), { code: '57P01', severity: 'FATAL' }));
    };
    await expect(handleSubmitted(submitted, service, logger, { backoffMs: 0 })).rejects.toThrow('shutting down');
    expect(calls.runChecks).toBe(1);
    expect(calls.referred).toEqual([]);
  });

  it('ignores other events', async () => {
    const { service, calls } = stub(0);
    expect(await handleSubmitted(newEvent('kyc.application.created', 'app-1', {}, 'user-1'), service, logger)).toBe('skipped');
    expect(calls.runChecks).toBe(0);
  });
});

describe('handleErasureOutcome', () => {
  it('hands notification.erasure.completed to the erasure as the notification part; other events are not its business', async () => {
    const recorded: Array<[string, unknown]> = [];
    const erasure = {
      recordServiceOutcome: (service: 'notification', data: unknown) => Promise.resolve(recorded.push([service, data]) > 0),
    };
    const data = { erasureRequestId: 'r-1', completedAt: '2026-12-05T12:00:00Z', erased: ['contacts'], kept: [] };
    expect(await handleErasureOutcome(newEvent('notification.erasure.completed', 'r-1', data, 'system'), erasure)).toBe(true);
    expect(await handleErasureOutcome(submitted, erasure)).toBe(false);
    expect(recorded).toEqual([['notification', data]]);
  });
});
