// A steady stream of requests at a fixed rate, each started on its own clock tick whatever the earlier
// ones are doing (a stalled request does not slow the stream, as with real clients), each recorded with
// the phase it started in, its status, latency, Retry-After and problem type.
export interface Outcome<T> {
  phase: string;
  status: number;
  latencyMs: number;
  retryAfter: string | null;
  problemType: string | undefined;
  /** What the request said it wrote (e.g. the id of the created record), for the checks afterwards. */
  written: T | undefined;
}

export interface Attempt<T> {
  status: number;
  headers: Headers;
  body: unknown;
  written?: T;
}

export class SteadyLoad<T> {
  readonly outcomes: Array<Outcome<T>> = [];
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private phase = 'before';
  private sequence = 0;

  constructor(
    private readonly perSecond: number,
    private readonly send: (sequence: number) => Promise<Attempt<T>>,
  ) {}

  start(phase: string): void {
    this.phase = phase;
    this.timer = setInterval(() => this.fire(), 1000 / this.perSecond);
  }

  /** Requests started from now on are counted under `phase`. */
  enter(phase: string): void {
    this.phase = phase;
  }

  /** Stops starting requests and waits for those in flight. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.inFlight]);
  }

  /** Per phase: requests, answers by status, the slowest answer. */
  summary(): Record<string, { requests: number; byStatus: Record<string, number>; maxLatencyMs: number }> {
    const result: Record<string, { requests: number; byStatus: Record<string, number>; maxLatencyMs: number }> = {};
    for (const outcome of this.outcomes) {
      const entry = (result[outcome.phase] ??= { requests: 0, byStatus: {}, maxLatencyMs: 0 });
      entry.requests += 1;
      entry.byStatus[outcome.status] = (entry.byStatus[outcome.status] ?? 0) + 1;
      entry.maxLatencyMs = Math.max(entry.maxLatencyMs, outcome.latencyMs);
    }
    return result;
  }

  private fire(): void {
    const phase = this.phase;
    const sequence = (this.sequence += 1);
    const started = performance.now();
    const done = this.send(sequence)
      .then(
        (attempt) => ({ ...attempt }),
        (error: unknown) => ({ status: 0, headers: new Headers(), body: { error: String(error) }, written: undefined }),
      )
      .then((attempt) => {
        const body = attempt.body as { type?: unknown } | undefined;
        this.outcomes.push({
          phase,
          status: attempt.status,
          latencyMs: Math.round(performance.now() - started),
          retryAfter: attempt.headers.get('retry-after'),
          problemType: typeof body?.type === 'string' ? body.type : undefined,
          written: attempt.written,
        });
      });
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Fault {
  /** How long the fault lasts before it is healed. */
  durationMs: number;
  inject: () => Promise<void>;
  heal: () => Promise<void>;
}

/**
 * Runs a steady load of `perSecond` requests through a fault, in four phases: `before` (1.5 s), `fault`
 * (from `inject` until `heal`), `recovery` (3 s) and `after` (2 s); returns it once every request has answered.
 */
export async function loadThroughFault<T>(
  perSecond: number,
  send: (sequence: number) => Promise<Attempt<T>>,
  fault: Fault,
): Promise<SteadyLoad<T>> {
  const load = new SteadyLoad<T>(perSecond, send);
  load.start('before');
  await pause(1500);
  load.enter('fault');
  await fault.inject();
  await pause(fault.durationMs);
  await fault.heal();
  load.enter('recovery');
  await pause(3000);
  load.enter('after');
  await pause(2000);
  await load.stop();
  return load;
}
