import { describe, expect, it } from '@jest/globals';
import { WorkQueue, type Handler } from './workqueue.js';

const fastBackoff = { baseMs: 1, maxMs: 4 };

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 1));
}

describe('WorkQueue', () => {
  it('processes a key added many times while waiting only once', async () => {
    const seen: string[] = [];
    const queue = new WorkQueue((key) => Promise.resolve(void seen.push(key)), { concurrency: 1, backoff: fastBackoff });
    queue.add('a');
    queue.add('a');
    queue.add('b');
    queue.add('a');
    queue.start();
    await queue.idle();
    expect(seen).toEqual(['a', 'b']);
  });

  it('takes a prioritized key before the ordinary ones queued earlier, each lane in arrival order', async () => {
    const seen: string[] = [];
    const queue = new WorkQueue((key) => Promise.resolve(void seen.push(key)), {
      concurrency: 1,
      backoff: fastBackoff,
      prioritize: (key) => key.startsWith('applied/'),
    });
    for (const key of ['new/1', 'new/2', 'applied/a', 'new/3', 'applied/b']) queue.add(key);
    expect(queue.depth).toBe(5);
    queue.start();
    await queue.idle();
    expect(seen).toEqual(['applied/a', 'applied/b', 'new/1', 'new/2', 'new/3']);
  });

  it('takes every fourth key from the ordinary lane while both wait: prioritized keys that keep coming never starve it', async () => {
    const seen: string[] = [];
    let arrivals = 0;
    const queue = new WorkQueue(
      (key) => {
        seen.push(key);
        // Each prioritized pass brings another (a pod became ready on an applied platform).
        if (key.startsWith('applied/') && arrivals < 12) queue.add(`applied/${(arrivals += 1)}`);
        return Promise.resolve();
      },
      { concurrency: 1, backoff: fastBackoff, prioritize: (key) => key.startsWith('applied/') },
    );
    for (const key of ['applied/0', 'new/1', 'new/2']) queue.add(key);
    queue.start();
    await queue.idle();
    expect(seen.slice(0, 9)).toEqual([
      'applied/0',
      'applied/1',
      'applied/2',
      'new/1',
      'applied/3',
      'applied/4',
      'applied/5',
      'new/2',
      'applied/6',
    ]);
  });

  it('asks again when a key is queued again: a key whose pass made it prioritized goes to the front the next time', async () => {
    const seen: string[] = [];
    const applied = new Set<string>();
    const gate = deferred();
    const queue = new WorkQueue(
      async (key) => {
        seen.push(key);
        if (key === 'x' && seen.length === 1) await gate.promise;
        applied.add(key);
      },
      { concurrency: 1, backoff: fastBackoff, prioritize: (key) => applied.has(key) },
    );
    queue.start();
    queue.add('x');
    await until(() => seen.length === 1);
    for (const key of ['y', 'z', 'x']) queue.add(key);
    gate.resolve();
    await queue.idle();
    // x was marked again while running: it goes back into the queue as an applied key, ahead of y and z.
    expect(seen).toEqual(['x', 'x', 'y', 'z']);
  });

  it('keeps a background key (the resync) in the ordinary lane, and moves it up when a change asks for it while it waits', async () => {
    const seen: string[] = [];
    const queue = new WorkQueue((key) => Promise.resolve(void seen.push(key)), {
      concurrency: 1,
      backoff: fastBackoff,
      prioritize: (key) => key.startsWith('applied/'),
    });
    // A resync of every platform: the applied ones do not go ahead of the first passes.
    for (const key of ['applied/a', 'new/1', 'applied/b', 'applied/c']) queue.add(key, { background: true });
    // A pod of c became ready: its status pass goes first. Another resync of a changes nothing.
    queue.add('applied/c');
    queue.add('applied/a', { background: true });
    // A background add never moves a key a change already queued.
    queue.add('applied/d');
    queue.add('applied/d', { background: true });
    queue.start();
    await queue.idle();
    expect(seen).toEqual(['applied/c', 'applied/d', 'applied/a', 'new/1', 'applied/b']);
  });

  it('queues a background key marked while it runs in the ordinary lane, unless a change marked it too', async () => {
    const seen: string[] = [];
    const gate = deferred();
    const queue = new WorkQueue(
      async (key) => {
        seen.push(key);
        if (seen.length === 1) await gate.promise;
      },
      { concurrency: 1, backoff: fastBackoff, prioritize: (key) => key.startsWith('applied/') },
    );
    queue.start();
    queue.add('applied/x');
    await until(() => seen.length === 1);
    queue.add('new/1');
    queue.add('applied/x', { background: true });
    queue.add('applied/y');
    queue.add('applied/y', { background: true });
    gate.resolve();
    await queue.idle();
    expect(seen).toEqual(['applied/x', 'applied/y', 'new/1', 'applied/x']);
  });

  it('never runs the same key twice at once, and re-runs it once when it was added while running', async () => {
    const gate = deferred();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const handler: Handler = async () => {
      runs += 1;
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      if (runs === 1) await gate.promise;
      running -= 1;
    };
    const queue = new WorkQueue(handler, { concurrency: 4, backoff: fastBackoff });
    queue.start();
    queue.add('k');
    await until(() => queue.active === 1);
    queue.add('k');
    queue.add('k');
    expect(queue.active).toBe(1);
    gate.resolve();
    await until(() => runs === 2);
    await queue.idle();
    expect(runs).toBe(2);
    expect(maxRunning).toBe(1);
  });

  it('reports how long each key waited in the queue before a handler took it', async () => {
    const gate = deferred();
    const waits: number[] = [];
    const queue = new WorkQueue(async (key) => (key === 'a' ? gate.promise : undefined), {
      concurrency: 1,
      backoff: fastBackoff,
      onWait: (ms) => waits.push(ms),
    });
    queue.start();
    queue.add('a');
    queue.add('b'); // waits behind a, which holds the only slot
    await new Promise((r) => setTimeout(r, 30));
    gate.resolve();
    await queue.idle();
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeLessThan(20);
    expect(waits[1]).toBeGreaterThanOrEqual(25);
  });

  it('runs different keys concurrently up to the limit', async () => {
    const gate = deferred();
    let running = 0;
    let maxRunning = 0;
    const queue = new WorkQueue(
      async () => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await gate.promise;
        running -= 1;
      },
      { concurrency: 3, backoff: fastBackoff },
    );
    queue.start();
    for (const key of ['a', 'b', 'c', 'd', 'e']) queue.add(key);
    await until(() => queue.active === 3);
    expect(queue.depth).toBe(2);
    gate.resolve();
    await queue.idle();
    expect(maxRunning).toBe(3);
  });

  it('retries a failing key with growing backoff and forgets the failures after a success', async () => {
    let attempts = 0;
    const retries: number[] = [];
    const done = deferred();
    const queue = new WorkQueue(
      () => {
        attempts += 1;
        if (attempts < 4) return Promise.reject(new Error('conflict'));
        done.resolve();
        return Promise.resolve();
      },
      {
        concurrency: 1,
        backoff: { baseMs: 1, maxMs: 100 },
        onResult: (_key, outcome) => {
          if (outcome.retryInMs !== undefined) retries.push(outcome.retryInMs);
        },
      },
    );
    queue.start();
    queue.add('k');
    await done.promise;
    await queue.idle();
    expect(attempts).toBe(4);
    expect(retries).toEqual([1, 2, 4]);
    expect(queue.retries('k')).toBe(0);
  });

  it('looks at a key again after requeueAfter', async () => {
    let runs = 0;
    const second = deferred();
    const queue = new WorkQueue(
      () => {
        runs += 1;
        if (runs === 1) return Promise.resolve({ requeueAfterMs: 5 });
        second.resolve();
        return Promise.resolve(undefined);
      },
      { concurrency: 1, backoff: fastBackoff },
    );
    queue.start();
    queue.add('k');
    await second.promise;
    expect(runs).toBe(2);
    await queue.shutdown();
  });

  it('keeps keys while paused and processes them when started', async () => {
    const seen: string[] = [];
    const queue = new WorkQueue((key) => Promise.resolve(void seen.push(key)), { concurrency: 2, backoff: fastBackoff });
    queue.add('x');
    queue.add('y');
    expect(queue.depth).toBe(2);
    expect(seen).toEqual([]);
    queue.start();
    await queue.idle();
    expect(seen.sort()).toEqual(['x', 'y']);
  });

  it('drops queued keys and ignores new ones after shutdown', async () => {
    const seen: string[] = [];
    const queue = new WorkQueue((key) => Promise.resolve(void seen.push(key)), { concurrency: 1, backoff: fastBackoff });
    queue.add('a');
    await queue.shutdown();
    queue.add('b');
    queue.start();
    expect(queue.depth).toBe(0);
    expect(seen).toEqual([]);
  });
});
