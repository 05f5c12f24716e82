import { describe, expect, it } from '@jest/globals';
import { healthReport } from './health.js';

describe('healthReport', () => {
  it('is OK when every check passes and missing checks count as OK', async () => {
    const report = await healthReport({ database: () => true, cache: async () => Promise.resolve(true) }, 100, () => 42);
    expect(report).toMatchObject({ message: 'OK', timestamp: 42, checks: { database: 'OK', cache: 'OK', externalAPIs: 'OK' } });
    expect(typeof report.uptime).toBe('number');
  });

  it('reports ERROR for a failing, throwing or hanging check', async () => {
    const report = await healthReport(
      {
        database: () => false,
        cache: () => {
          throw new Error('down');
        },
        externalAPIs: () => new Promise<boolean>(() => undefined),
      },
      20,
    );
    expect(report.message).toBe('ERROR');
    expect(report.checks).toEqual({ database: 'ERROR', cache: 'ERROR', externalAPIs: 'ERROR' });
  });
});
