import { describe, expect, it } from '@jest/globals';
import { SharedResources } from './shared.js';

describe('SharedResources', () => {
  it('opens one thing per key, and closes it when the last lease is given back', async () => {
    const opened: string[] = [];
    const closed: string[] = [];
    const shared = new SharedResources<{ key: string }>((value) => {
      closed.push(value.key);
      return Promise.resolve();
    });
    const open = (key: string) => () => {
      opened.push(key);
      return { key };
    };
    const a = shared.acquire('brokers', open('brokers'));
    const b = shared.acquire('brokers', open('brokers'));
    expect(b.value).toBe(a.value);
    expect(opened).toEqual(['brokers']);
    await a.release();
    await a.release(); // twice: still b's share
    expect(closed).toEqual([]);
    await b.release();
    expect(closed).toEqual(['brokers']);
    expect(shared.size).toBe(0);
    // A lease taken afterwards opens a fresh one.
    expect(shared.acquire('brokers', open('brokers')).value).not.toBe(a.value);
    expect(opened).toEqual(['brokers', 'brokers']);
  });
});
