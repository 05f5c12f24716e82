import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { Lifecycle } from './lifecycle.js';

describe('Lifecycle readiness', () => {
  it('is ready once marked, every readiness gate passes and no drain has begun', async () => {
    const lifecycle = new Lifecycle(pino({ level: 'silent' }));
    let warm = false;
    lifecycle.holdReadiness(() => warm);
    expect(lifecycle.isReady()).toBe(false);
    lifecycle.markReady();
    expect(lifecycle.isReady()).toBe(false);
    warm = true;
    expect(lifecycle.isReady()).toBe(true);
    await lifecycle.shutdown();
    expect(lifecycle.isReady()).toBe(false);
  });
});
