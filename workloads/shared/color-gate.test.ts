import { describe, expect, it } from '@jest/globals';
import { ColorGate, GatedConsumer, type ActiveSource } from './color-gate.js';
import type { RunningConsumer } from './kafka.js';
import { createLogger, memoryDestination } from './logger.js';

function fakeSource(initial: boolean) {
  let active = initial;
  const listeners: ((active: boolean) => void)[] = [];
  const source: ActiveSource = { isActive: () => active, onActiveChange: (listener) => listeners.push(listener) };
  return {
    source,
    set: (next: boolean) => {
      active = next;
      for (const listener of listeners) listener(next);
    },
  };
}

function recorder(log: string[], name: string, failStarts = 0) {
  let failures = failStarts;
  return {
    name,
    start() {
      if (failures > 0) {
        failures -= 1;
        throw new Error('broker away');
      }
      log.push(`start ${name}`);
    },
    stop() {
      log.push(`stop ${name}`);
    },
  };
}

const logger = createLogger({ component: 'unit', level: 'silent', destination: memoryDestination() });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ColorGate (blue-green isolation, docs/releases.md)', () => {
  it('when the colour is a preview, then nothing starts until the switch names it, and then at once', async () => {
    const { source, set } = fakeSource(false);
    const gate = new ColorGate(source, { logger, handoverMs: 10_000 });
    const log: string[] = [];
    await gate.run(recorder(log, 'consumer'));
    await gate.run(recorder(log, 'sweep'));
    expect(log).toEqual([]);
    set(true);
    await sleep(20);
    expect(log).toEqual(['start consumer', 'start sweep']);
    expect(gate.isRunning('consumer')).toBe(true);
    await gate.close();
    expect(log).toEqual(['start consumer', 'start sweep', 'stop sweep', 'stop consumer']);
  });

  it('when the colour stops being active, then it keeps its activities for the handover and stops them after', async () => {
    const { source, set } = fakeSource(true);
    const gate = new ColorGate(source, { logger, handoverMs: 80 });
    const log: string[] = [];
    await gate.run(recorder(log, 'consumer'));
    set(false);
    await sleep(30);
    expect(log).toEqual(['start consumer']); // the new colour is joining meanwhile
    await sleep(100);
    expect(log).toEqual(['start consumer', 'stop consumer']);
    await gate.close();
    expect(log).toEqual(['start consumer', 'stop consumer']);
  });

  it('when the switch is undone within the handover, then nothing stops', async () => {
    const { source, set } = fakeSource(true);
    const gate = new ColorGate(source, { logger, handoverMs: 50 });
    const log: string[] = [];
    await gate.run(recorder(log, 'consumer'));
    set(false);
    await sleep(10);
    set(true);
    await sleep(100);
    expect(log).toEqual(['start consumer']);
    await gate.close();
  });

  it('when a start fails (Kafka away), then it is tried again until it runs', async () => {
    const { source } = fakeSource(true);
    const gate = new ColorGate(source, { logger, retryMs: 10 });
    const log: string[] = [];
    await gate.run(recorder(log, 'consumer', 2));
    expect(gate.isRunning('consumer')).toBe(false);
    await sleep(80);
    expect(log).toEqual(['start consumer']);
    expect(gate.isRunning('consumer')).toBe(true);
    await gate.close();
  });

  it('a gated consumer keeps a feature-flag pause across a stop and a start, and is healthy while stopped', async () => {
    const log: string[] = [];
    const fake = (): RunningConsumer =>
      ({
        pause: () => log.push('pause'),
        resume: () => log.push('resume'),
        stop: () => {
          log.push('stop');
          return Promise.resolve();
        },
        isHealthy: () => false,
        joined: Promise.resolve(),
      }) as unknown as RunningConsumer;
    const consumer = new GatedConsumer('checks', () => Promise.resolve(fake()));
    expect(consumer.isHealthy()).toBe(true);
    consumer.pause(); // automatic-checks off before the colour is active
    await consumer.start();
    await consumer.joined;
    expect(log).toEqual(['pause']);
    expect(consumer.isHealthy()).toBe(false);
    await consumer.stop();
    consumer.resume();
    await consumer.start();
    expect(log).toEqual(['pause', 'stop']);
    expect(consumer.isPaused()).toBe(false);
    expect(consumer.current).toBeDefined();
  });
});
