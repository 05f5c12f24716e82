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
