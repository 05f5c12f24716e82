import { describe, expect, it } from '@jest/globals';
import { createLogger } from './runtime/logger.js';
import { ShutdownSequence } from './manager.js';

describe('ShutdownSequence', () => {
  it('when the operator stops, then what started last stops first, each part once', async () => {
    const stopped: string[] = [];
    const shutdown = new ShutdownSequence(createLogger('error'));
    for (const part of ['kube client', 'events', 'informers', 'leadership', 'probe server']) shutdown.add(part, () => stopped.push(part));

    expect(await shutdown.run()).toBe(true);
    expect(await shutdown.run()).toBe(true);
    expect(stopped).toEqual(['probe server', 'leadership', 'informers', 'events', 'kube client']);
  });

  it('when one part fails to stop, then the parts below it still stop and the run reports it', async () => {
    const stopped: string[] = [];
    const shutdown = new ShutdownSequence(createLogger('error', { write: () => true } as unknown as NodeJS.WritableStream));
    shutdown.add('kube client', () => stopped.push('kube client'));
    shutdown.add('informers', () => Promise.reject(new Error('watch did not end')));
    shutdown.add('probe server', async () => {
      await Promise.resolve();
      stopped.push('probe server');
    });

    expect(await shutdown.run()).toBe(false);
    expect(stopped).toEqual(['probe server', 'kube client']);
  });
});
