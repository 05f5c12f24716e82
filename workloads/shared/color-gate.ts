// What runs only in the active colour of a blue-green release (docs/releases.md, "Blue-green isolation"):
// the Kafka consumers and the sweeps with side effects. A preview colour or a rollback target starts none
// of them; the colour the switch names starts them at once; the colour that stops being active keeps them
// for `handoverMs` more before it stops them ("make before break"): the new colour has joined the consumer
// groups by then, so no partition waits for a consumer, and Kafka hands each partition to one member of a
// group at a time (the consumers are idempotent by event id for the rebalance in between).
//
// Level-based: every change, and every failed start, leads to one pass that compares what runs with what
// should, one pass at a time.
import type { RunningConsumer } from './kafka.js';
import type { Logger } from './logger.js';

/** The live settings as the gate reads them (LiveSettings). */
export interface ActiveSource {
  isActive(): boolean;
  onActiveChange(listener: (active: boolean) => void): void;
}

/** Something to run while the colour is active: a consumer, a sweep. */
export interface GatedActivity {
  name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

export interface ColorGateOptions {
  logger: Logger;
  /** How long the colour that stopped being active keeps its activities (default 5 s). */
  handoverMs?: number;
  /** Wait before a failed start is tried again (default 2 s). */
  retryMs?: number;
}

interface Entry {
  activity: GatedActivity;
  running: boolean;
}

export class ColorGate {
  private readonly entries: Entry[] = [];
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: ActiveSource,
    private readonly options: ColorGateOptions,
  ) {
    source.onActiveChange((active) => {
      // Becoming active: at once. Ceasing to be: after the handover, and only if still inactive then.
      this.schedule(active ? 0 : (options.handoverMs ?? 5000));
    });
  }

  /** Runs `activity` whenever the colour is active, from now on; resolves once the first pass is done. */
  run(activity: GatedActivity): Promise<void> {
    this.entries.push({ activity, running: false });
    return this.pass();
  }

  /** Whether `name` runs now (tests, /health). */
  isRunning(name: string): boolean {
    return this.entries.some((entry) => entry.activity.name === name && entry.running);
  }

  /** Stops everything for good (shutdown), in the reverse order of registration. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.pass();
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.closed) return;
    this.timer = setTimeout(() => void this.pass(), delayMs);
    this.timer.unref();
  }

  /** One pass at a time: queued behind the one under way. */
  private pass(): Promise<void> {
    this.queue = this.queue.then(() => this.converge());
    return this.queue;
  }

  private async converge(): Promise<void> {
    const wanted = !this.closed && this.source.isActive();
    let failed = false;
    const order = wanted ? this.entries : [...this.entries].reverse();
    for (const entry of order) {
      if (entry.running === wanted) continue;
      try {
        if (wanted) await entry.activity.start();
        else await entry.activity.stop();
        entry.running = wanted;
        // Debug: LiveSettings already logs the colour's change at info; without blue-green this is every start.
        this.options.logger.debug(
          { activity: entry.activity.name },
          wanted ? 'started: this colour is active' : 'stopped: this colour is not active',
        );
      } catch (error) {
        failed = true;
        this.options.logger.warn(
          { err: error, activity: entry.activity.name },
          wanted ? 'start failed; retrying' : 'stop failed; retrying',
        );
        // A stop that failed has left nothing to stop in the services' activities (they tear down first).
        if (!wanted) entry.running = false;
      }
    }
    if (failed && wanted) this.schedule(this.options.retryMs ?? 2000);
  }
}

/**
 * A Kafka consumer the gate starts and stops: stopped, it has left its group (a paused member would keep
 * partitions from the active colour). It remembers a feature-flag pause across restarts (pauseWhileOff
 * attaches to it like to a RunningConsumer), so it runs only when its colour is active AND its flag is on.
 */
export class GatedConsumer implements GatedActivity {
  private running: RunningConsumer | undefined;
  private paused = false;
  private markJoined: () => void = () => undefined;
  /** Resolves once a consumer runs and has joined its group (after the colour became active). */
  joined: Promise<void>;

  constructor(
    readonly name: string,
    private readonly startConsumer: () => Promise<RunningConsumer>,
  ) {
    this.joined = this.nextJoin();
  }

  async start(): Promise<void> {
    const consumer = await this.startConsumer();
    if (this.paused) consumer.pause();
    this.running = consumer;
    void consumer.joined.then(() => this.markJoined());
  }

  async stop(): Promise<void> {
    const consumer = this.running;
    this.running = undefined;
    this.joined = this.nextJoin();
    await consumer?.stop();
  }

  private nextJoin(): Promise<void> {
    return new Promise((resolve) => {
      this.markJoined = resolve;
    });
  }

  pause(): void {
    this.paused = true;
    this.running?.pause();
  }

  resume(): void {
    this.paused = false;
    this.running?.resume();
  }

  isPaused(): boolean {
    return this.paused;
  }

  /** The consumer while the colour is active (tests wait on its `joined`). */
  get current(): RunningConsumer | undefined {
    return this.running;
  }

  /** An inactive colour's consumer is stopped on purpose: healthy. */
  isHealthy(): boolean {
    return this.running?.isHealthy() ?? true;
  }
}
