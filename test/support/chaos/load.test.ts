import { describe, expect, it } from '@jest/globals';
import { IDEMPOTENCY_KEY_IN_PROGRESS } from '../../../workloads/shared/problem.js';
import { Load, firstWriteOkAfter, summarize, verdict } from './load.js';
import type { LoadAnswer, LoadRequest, Sample } from './load.js';

/** A platform in memory: answers by a script (per request number), else healthily. */
function fakePlatform(script: Record<number, LoadAnswer | Error> = {}) {
  const requests: LoadRequest[] = [];
  let nextId = 0;
  const byKey = new Map<string, string>();
  const send = (request: LoadRequest): Promise<LoadAnswer> => {
    requests.push(request);
    const scripted = script[requests.length];
    if (scripted instanceof Error) return Promise.reject(scripted);
    if (scripted) return Promise.resolve(scripted);
    if (request.op === 'create') {
      // An idempotent create: the same key answers the same application.
      const key = request.idempotencyKey ?? '';
      const id = byKey.get(key) ?? `app-${++nextId}`;
      byKey.set(key, id);
      return Promise.resolve({ status: 201, body: { id } });
    }
    return Promise.resolve({ status: 200 });
  };
  return { send, requests };
}

const noPause = { pauseMs: 0, sleep: () => new Promise<void>((resolve) => setImmediate(resolve)) };

async function runFor(load: Load, requests: LoadRequest[], count: number) {
  load.start();
  while (requests.length < count) await new Promise((resolve) => setImmediate(resolve));
  return load.stop(5_000);
}

describe('verdict', () => {
  it('when a request succeeds, then ok; a 503 with Retry-After seconds is unavailable; anything else is a violation', () => {
    expect(verdict({ status: 201 })).toBe('ok');
    expect(verdict({ status: 503, retryAfter: '2' })).toBe('unavailable');
    expect(verdict({ status: 503 })).toBe('violation');
    expect(verdict({ status: 503, retryAfter: 'Sat, 05 Dec 2026 13:00:00 GMT' })).toBe('violation');
    expect(verdict({ status: 500, retryAfter: '1' })).toBe('violation');
    expect(verdict({ status: 429, retryAfter: '1' })).toBe('violation');
    expect(verdict({})).toBe('violation');
  });

  it('when a retry finds its first attempt still running, then a 409 in-progress with Retry-After is unavailable, without it a violation', () => {
    expect(verdict({ status: 409, retryAfter: '1', problemType: IDEMPOTENCY_KEY_IN_PROGRESS })).toBe('unavailable');
    expect(verdict({ status: 409, problemType: IDEMPOTENCY_KEY_IN_PROGRESS })).toBe('violation');
    expect(verdict({ status: 409, retryAfter: '1', problemType: 'https://kyc.dev/problems/limit-reached' })).toBe('violation');
  });
});

describe('the load', () => {
  it('when every request succeeds, then each customer creates, reads and cancels a draft in turn, and stop drains nothing', async () => {
    const platform = fakePlatform();
    const load = new Load(['t1'], platform.send, noPause);
    const result = await runFor(load, platform.requests, 9);
    const ops = platform.requests.map((r) => r.op);
    expect(ops.slice(0, 6)).toEqual(['create', 'read', 'cancel', 'create', 'read', 'cancel']);
    expect(result.created.length).toBeGreaterThanOrEqual(3);
    expect(result.cancelled).toEqual(result.created);
    expect(result.unresolved).toEqual({ creates: 0, cancels: 0 });
    expect(summarize(result.samples).violations).toEqual({});
  });

  it('when a create answers 503 + Retry-After twice, then it is sent again with the same key and the draft is accepted once', async () => {
    const platform = fakePlatform({ 1: { status: 503, retryAfter: '1' }, 2: { status: 503, retryAfter: '1' } });
    const load = new Load(['t1'], platform.send, noPause);
    const result = await runFor(load, platform.requests, 5);
    const [first, second, third] = platform.requests;
    expect([first?.op, second?.op, third?.op]).toEqual(['create', 'create', 'create']);
    expect(new Set([first?.idempotencyKey, second?.idempotencyKey, third?.idempotencyKey]).size).toBe(1);
    expect(result.created[0]).toBe('app-1');
    const summary = summarize(result.samples);
    expect(summary.failures).toEqual({ 'HTTP 503': 2 });
    expect(summary.violations).toEqual({});
  });

  it('when a cancel answers 500 and then a request times out, then both are violations and the cancel is retried until accepted', async () => {
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { code: 'timeout' });
    const platform = fakePlatform({ 3: { status: 500 }, 4: timeout });
    const load = new Load(['t1'], platform.send, noPause);
    const result = await runFor(load, platform.requests, 6);
    expect(platform.requests.slice(2, 5).map((r) => r.op)).toEqual(['cancel', 'cancel', 'cancel']);
    expect(new Set(platform.requests.slice(2, 5).map((r) => r.idempotencyKey)).size).toBe(1);
    expect(result.cancelled).toContain('app-1');
    expect(summarize(result.samples).violations).toEqual({ 'HTTP 500': 1, timeout: 1 });
  });

  it('when a read fails, then it is not retried and the cycle goes on', async () => {
    const platform = fakePlatform({ 2: { status: 502 } });
    const load = new Load(['t1'], platform.send, noPause);
    await runFor(load, platform.requests, 4);
    expect(platform.requests.slice(0, 4).map((r) => r.op)).toEqual(['create', 'read', 'cancel', 'create']);
  });

  it('when a write is in hand at stop, then it is driven to a definite answer before stop returns', async () => {
    let release: (() => void) | undefined;
    const platform = fakePlatform();
    const gated = (request: LoadRequest): Promise<LoadAnswer> => {
      // The first cancel waits until the load was told to stop, and fails once.
      if (request.op === 'cancel' && !release) return new Promise((resolve) => (release = () => resolve({ status: 503, retryAfter: '1' })));
      return platform.send(request);
    };
    const load = new Load(['t1', 't2'], gated, noPause);
    load.start();
    while (!release) await new Promise((resolve) => setImmediate(resolve));
    const stopping = load.stop(5_000);
    release();
    const result = await stopping;
    expect(result.unresolved).toEqual({ creates: 0, cancels: 0 });
    expect([...result.cancelled].sort()).toEqual([...result.created].sort());
  });

  it('when a definite refusal (409) answers a create, then the key is dropped and nothing is accepted for it', async () => {
    const platform = fakePlatform({ 1: { status: 409 } });
    const load = new Load(['t1'], platform.send, noPause);
    const result = await runFor(load, platform.requests, 2);
    expect(platform.requests[0]?.idempotencyKey).not.toBe(platform.requests[1]?.idempotencyKey);
    expect(summarize(result.samples).violations).toEqual({ 'HTTP 409': 1 });
  });

  it('when a refusal says what kind it is, then the summary names it', async () => {
    const platform = fakePlatform({ 1: { status: 409, body: { type: 'https://kyc.dev/problems/limit-reached' } } });
    const load = new Load(['t1'], platform.send, noPause);
    const result = await runFor(load, platform.requests, 2);
    expect(summarize(result.samples).violations).toEqual({ 'HTTP 409 (limit-reached)': 1 });
  });

  it('when a create finds its first attempt still in progress (409 + Retry-After), then it is sent again with the same key and accepted once', async () => {
    const inProgress = { status: 409, retryAfter: '1', body: { type: IDEMPOTENCY_KEY_IN_PROGRESS } };
    const platform = fakePlatform({ 1: { status: 503, retryAfter: '1' }, 2: inProgress });
    const load = new Load(['t1'], platform.send, noPause);
    const result = await runFor(load, platform.requests, 4);
    const [first, second, third] = platform.requests;
    expect([first?.op, second?.op, third?.op]).toEqual(['create', 'create', 'create']);
    expect(new Set([first?.idempotencyKey, second?.idempotencyKey, third?.idempotencyKey]).size).toBe(1);
    expect(result.created[0]).toBe('app-1');
    const summary = summarize(result.samples);
    expect(summary.violations).toEqual({});
    expect(summary.failures).toMatchObject({ 'HTTP 503': 1, 'HTTP 409 in progress + Retry-After': 1 });
  });
});

describe('summarize', () => {
  const samples: Sample[] = [
    { op: 'create', at: 0, ms: 12, outcome: 'HTTP 201', status: 201 },
    { op: 'create', at: 1000, ms: 3100, outcome: 'HTTP 503', status: 503, retryAfter: '1' },
    { op: 'read', at: 2000, ms: 40, outcome: 'HTTP 503', status: 503 },
    { op: 'cancel', at: 3000, ms: 10_001, outcome: 'timeout' },
    { op: 'read', at: 4000, ms: 9, outcome: 'HTTP 200', status: 200 },
    { op: 'cancel', at: 5000, ms: 9, outcome: 'HTTP 200', status: 200 },
  ];

  it('when samples fall in a window, then only they count, with failures by outcome and the slowest latency', () => {
    expect(summarize(samples, 1000, 4000)).toEqual({
      requests: 3,
      ok: 0,
      failures: { 'HTTP 503': 1, 'HTTP 503 without Retry-After': 1, timeout: 1 },
      violations: { 'HTTP 503 without Retry-After': 1, timeout: 1 },
      maxLatencyMs: 10_001,
    });
    expect(summarize(samples).requests).toBe(6);
  });

  it('when writes come back after a fault, then the first successful write after a time is found, reads aside', () => {
    expect(firstWriteOkAfter(samples, 1000)).toBe(5000);
    expect(firstWriteOkAfter(samples, 6000)).toBeUndefined();
  });
});
