// A controller work queue: de-duplicates per key, never runs the same key twice at once, runs up to
// `concurrency` keys in parallel, retries failures with per-key exponential backoff, and supports
// `requeueAfter` for timed waits. Two lanes: a key that `prioritize` picks (the operator's: a platform
// already applied at its generation, whose pass is a short status update) is taken before the ordinary
// lane, so that it does not wait behind hundreds of first passes (docs/operator.md, "Work queue" under
// "How it works"); every fourth key comes from the ordinary lane while both wait, so that a steady stream of
// status updates never starves the first passes. A background key (the periodic resync: a look for drift,
// not a change) always waits in the ordinary lane, unless a change asks for it meanwhile.
import { backoffDelay, type BackoffPolicy } from './backoff.js';

/** What a handler returns: nothing (done), or a delay after which the key is looked at again. */
export interface HandlerResult {
  requeueAfterMs?: number;
}

export type Handler = (key: string) => Promise<HandlerResult | void>;

export interface WorkQueueOptions {
  concurrency: number;
  backoff: BackoffPolicy;
  /** Called after every handler run, for metrics and logs. */
  onResult?: (key: string, outcome: { error?: unknown; durationMs: number; requeueAfterMs?: number; retryInMs?: number }) => void;
  /** Called whenever the number of waiting keys changes. */
  onDepth?: (depth: number) => void;
  /** Called when a handler takes a key, with how long the key waited in the queue. */
  onWait?: (waitMs: number) => void;
  /** Asked when a key is queued: true puts it in the lane taken first. Absent: one lane, arrival order. */
  prioritize?: (key: string) => boolean;
}

/**
 * Keys taken from the prioritized lane in a row while the ordinary lane waits. At 1,000 platforms created
 * at once, the few hundred applied first kept the prioritized lane full (every pod that became ready is
 * a pass) and the other platforms' first passes waited minutes (docs/benchmarks.md, "1,000 platforms").
 */
const PRIORITIZED_IN_A_ROW = 3;

export class WorkQueue {
  /** Keys waiting to be processed, in arrival order: the prioritized lane, then the ordinary one. */
  private readonly urgent: string[] = [];
  private readonly queue: string[] = [];
  private prioritizedInARow = 0;
  /** When each waiting key was queued (for onWait). */
  private readonly queuedAt = new Map<string, number>();
  /** Keys that need processing (queued, or marked again while being processed). */
  private readonly dirty = new Set<string>();
  /** Waiting keys that only background adds asked for: they stay in the ordinary lane. */
  private readonly background = new Set<string>();
  /** Keys a handler is working on right now. */
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  /** One pending timer per key: the earliest wins. */
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly idleWaiters: (() => void)[] = [];
  private running = false;
  private shuttingDown = false;

  constructor(
    private readonly handler: Handler,
    private readonly options: WorkQueueOptions,
  ) {}

  /** Starts (or resumes) processing. Keys added before are kept. */
  start(): void {
    if (this.shuttingDown) return;
    this.running = true;
    this.pump();
  }

  /** Stops taking new keys; handlers already running finish. Keys stay queued for a later start(). */
  pause(): void {
    this.running = false;
  }

  /**
   * Marks `key` as needing work. A key already waiting is not queued twice. `background`: a periodic look,
   * not a change (the resync). It waits in the ordinary lane whatever `prioritize` says: at 1,000 platforms
   * a resync queued every applied platform ahead of the status updates pods' changes ask for
   * (docs/operator.md, "Work queue"). A change that asks for a key a background add left waiting moves it
   * to the prioritized lane when `prioritize` says so.
   */
  add(key: string, options: { background?: boolean } = {}): void {
    if (this.shuttingDown) return;
    this.clearTimer(key);
    if (this.dirty.has(key)) {
      if (!options.background) this.promote(key);
      return;
    }
    this.dirty.add(key);
    if (options.background) this.background.add(key);
    // A key being processed is queued again when its handler finishes, never run in parallel.
    if (!this.processing.has(key)) this.enqueue(key);
    this.pump();
  }

  /** Adds `key` after `delayMs`; an earlier pending add for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  /** Forgets the failure history of `key` (after a success). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Number of failures recorded for `key` since its last success. */
  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  get depth(): number {
    return this.urgent.length + this.queue.length;
  }

  get active(): number {
    return this.processing.size;
  }

  /** Resolves when nothing is queued or running (pending timers do not count). */
  async idle(): Promise<void> {
    if (this.depth === 0 && this.processing.size === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops queued keys and timers, waits for running handlers to finish. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    this.running = false;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const key of [...this.urgent, ...this.queue]) this.dirty.delete(key);
    this.background.clear();
    this.urgent.length = 0;
    this.queue.length = 0;
    this.queuedAt.clear();
    this.reportDepth();
    await this.idle();
  }

  private clearTimer(key: string): void {
    const existing = this.timers.get(key);
    if (existing) {
      clearTimeout(existing.timer);
      this.timers.delete(key);
    }
  }

  private pump(): void {
    while (this.running && this.processing.size < this.options.concurrency && this.depth > 0) {
      const key = this.next();
      this.options.onWait?.(Date.now() - (this.queuedAt.get(key) ?? Date.now()));
      this.queuedAt.delete(key);
      this.dirty.delete(key);
      this.background.delete(key);
      this.processing.add(key);
      this.reportDepth();
      void this.run(key);
    }
    this.notifyIdle();
  }

  /** The next key to process (the queue is not empty). */
  private next(): string {
    if (this.urgent.length > 0 && (this.queue.length === 0 || this.prioritizedInARow < PRIORITIZED_IN_A_ROW)) {
      this.prioritizedInARow += 1;
      return this.urgent.shift() as string;
    }
    this.prioritizedInARow = 0;
    return this.queue.shift() as string;
  }

  private async run(key: string): Promise<void> {
    const started = Date.now();
    let outcome: { error?: unknown; durationMs: number; requeueAfterMs?: number; retryInMs?: number };
    try {
      const result = await this.handler(key);
      this.forget(key);
      const requeueAfterMs = result ? result.requeueAfterMs : undefined;
      outcome = { durationMs: Date.now() - started, requeueAfterMs };
      if (requeueAfterMs !== undefined) this.addAfter(key, requeueAfterMs);
    } catch (error) {
      const failures = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, failures);
      const retryInMs = backoffDelay(this.options.backoff, failures);
      outcome = { error, durationMs: Date.now() - started, retryInMs };
      this.addAfter(key, retryInMs);
    } finally {
      this.processing.delete(key);
    }
    // A key that was marked dirty while it was being processed goes back to the end of the queue.
    if (this.dirty.has(key) && !this.queue.includes(key) && !this.urgent.includes(key)) this.enqueue(key);
    try {
      this.options.onResult?.(key, outcome);
    } finally {
      this.pump();
    }
  }

  /** A change asks for a key a background add queued: it is no longer background, and may move up. */
  private promote(key: string): void {
    if (!this.background.delete(key) || !this.options.prioritize?.(key)) return;
    const at = this.queue.indexOf(key);
    if (at < 0) return;
    this.queue.splice(at, 1);
    this.urgent.push(key);
  }

  private enqueue(key: string): void {
    (!this.background.has(key) && this.options.prioritize?.(key) ? this.urgent : this.queue).push(key);
    this.queuedAt.set(key, Date.now());
    this.reportDepth();
  }

  private reportDepth(): void {
    this.options.onDepth?.(this.depth);
  }

  private notifyIdle(): void {
    if (this.depth > 0 && this.running) return;
    if (this.processing.size > 0) return;
    if (this.depth > 0 && !this.shuttingDown) return;
    const waiters = this.idleWaiters.splice(0);
    for (const resolve of waiters) resolve();
  }
}
