// The chaos suite's load (docs/benchmarks.md, "Chaos"): a few customers, each one request at a time,
// `pauseMs` apart, so the load stays steady and bounded whatever the platform does. Each customer
// cycles through the life of a draft:
//
//   create (POST /applications, Idempotency-Key) ──201──▶ read (GET) ──▶ cancel (POST .../cancel, Idempotency-Key)
//
// A create or cancel that gets no definite answer (a 5xx, a timeout, a reset, or a 409 saying the first
// attempt with its Idempotency-Key is still in progress) is sent again with the same key, as a client that
// wants it done would, until it gets one; so a write the API accepted is accepted once, however often it
// was tried. A read is not retried. Nothing here knows of HTTP clients or the cluster: `send` does the
// I/O, so the accounting is tested with a fake.
import { randomUUID } from 'node:crypto';
import { IDEMPOTENCY_KEY_IN_PROGRESS } from '../../../workloads/shared/problem.js';

export type Operation = 'create' | 'read' | 'cancel';

export interface LoadRequest {
  op: Operation;
  method: 'GET' | 'POST';
  path: string;
  token: string;
  body?: unknown;
  idempotencyKey?: string;
}

export interface LoadAnswer {
  status: number;
  retryAfter?: string | null;
  body?: unknown;
}

/** Does one request; rejects with an Error whose `code` (or message) names a failure without an answer. */
export type Send = (request: LoadRequest) => Promise<LoadAnswer>;

export interface Sample {
  op: Operation;
  /** When the request was sent, ms since the epoch. */
  at: number;
  ms: number;
  /** `HTTP 201`, `HTTP 503`, `timeout`, `ECONNRESET`, ... */
  outcome: string;
  status?: number;
  retryAfter?: string;
  /** The problem+json `type` of an answer that has one. */
  problemType?: string;
}

export type Verdict = 'ok' | 'unavailable' | 'violation';

/**
 * The standard a request is held to during a fault: it succeeds (2xx), or it is a 503 whose
 * Retry-After is a number of seconds. A retry whose key is still claimed by its first attempt (that one
 * still runs after the gateway gave up on it, or its claim could not be released because the database
 * was down: the key's in-progress lease) is told so the same way: a 409 idempotency-key-in-progress with
 * Retry-After (docs/problems/idempotency-key-in-progress.md). Anything
 * else (a 500, a 503 without Retry-After, a 4xx the load never causes when healthy, no answer within the
 * client's timeout) is a violation.
 */
export function verdict(sample: Pick<Sample, 'status' | 'retryAfter' | 'problemType'>): Verdict {
  const { status } = sample;
  if (status !== undefined && status >= 200 && status < 300) return 'ok';
  const retryAfter = /^\d+$/.test(sample.retryAfter ?? '') && Number(sample.retryAfter) > 0;
  if (status === 503 && retryAfter) return 'unavailable';
  if (status === 409 && sample.problemType === IDEMPOTENCY_KEY_IN_PROGRESS && retryAfter) return 'unavailable';
  return 'violation';
}

/** Whether an answer is definite: a write that got one is not tried again. */
function definite(answer: LoadAnswer | undefined): boolean {
  if (answer === undefined || answer.status >= 500) return false;
  return !(answer.status === 409 && problemTypeOf(answer) === IDEMPOTENCY_KEY_IN_PROGRESS);
}

function problemTypeOf(answer: LoadAnswer): string | undefined {
  const type = (answer.body as { type?: unknown } | undefined)?.type;
  return typeof type === 'string' ? type : undefined;
}

export const CONSENT = { consent: { purposes: ['kyc_verification'], noticeVersion: 'chaos-1' } };

interface Draft {
  id: string;
  cancelKey: string;
}

/** One customer's place in the cycle. */
class Customer {
  /** The key of a create not yet answered definitely. */
  pendingCreate: string | undefined;
  unread: string | undefined;
  readonly drafts: Draft[] = [];

  constructor(readonly token: string) {}

  /** The next request; `draining`: no new drafts, only the writes in hand. */
  next(draining: boolean): LoadRequest | undefined {
    if (this.pendingCreate) return this.create(this.pendingCreate);
    if (this.unread && !draining) return { op: 'read', method: 'GET', path: `/applications/${this.unread}`, token: this.token };
    const draft = this.drafts[0];
    if (draft)
      return {
        op: 'cancel',
        method: 'POST',
        path: `/applications/${draft.id}/cancel`,
        token: this.token,
        body: {},
        idempotencyKey: draft.cancelKey,
      };
    if (draining) return undefined;
    this.pendingCreate = randomUUID();
    return this.create(this.pendingCreate);
  }

  private create(key: string): LoadRequest {
    return { op: 'create', method: 'POST', path: '/applications', token: this.token, body: CONSENT, idempotencyKey: key };
  }
}

export interface LoadOptions {
  /** Pause after each request of one customer (default 250 ms). */
  pauseMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface LoadResult {
  samples: Sample[];
  /** Application ids the API answered 201 for. */
  created: string[];
  /** Application ids whose cancel the API answered 200 for. */
  cancelled: string[];
  /** Writes still without a definite answer when the load stopped (after draining). */
  unresolved: { creates: number; cancels: number };
}

export class Load {
  readonly samples: Sample[] = [];
  private readonly created = new Set<string>();
  private readonly cancelled = new Set<string>();
  private readonly customers: Customer[];
  private running = false;
  private draining = false;
  private loops: Promise<void>[] = [];
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    tokens: readonly string[],
    private readonly send: Send,
    private readonly options: LoadOptions = {},
  ) {
    this.customers = tokens.map((token) => new Customer(token));
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  start(): void {
    this.running = true;
    this.loops = this.customers.map((customer) => this.loop(customer));
  }

  /**
   * Stops making new drafts, keeps sending the writes in hand (retries, cancels) for up to `drainMs`,
   * then stops.
   */
  async stop(drainMs = 60_000): Promise<LoadResult> {
    this.draining = true;
    const deadline = this.now() + drainMs;
    const drained = Promise.all(this.loops);
    while (this.running && this.now() < deadline) {
      if (this.customers.every((c) => c.next(true) === undefined)) break;
      await Promise.race([drained, this.sleep(100)]);
    }
    this.running = false;
    await drained;
    return {
      samples: this.samples,
      created: [...this.created],
      cancelled: [...this.cancelled],
      unresolved: {
        creates: this.customers.filter((c) => c.pendingCreate).length,
        cancels: this.customers.reduce((n, c) => n + c.drafts.length, 0),
      },
    };
  }

  private async loop(customer: Customer): Promise<void> {
    while (this.running) {
      const request = customer.next(this.draining);
      if (!request) return; // only when draining: nothing left in hand
      await this.once(customer, request);
      await this.sleep(this.options.pauseMs ?? 250);
    }
  }

  private async once(customer: Customer, request: LoadRequest): Promise<void> {
    const at = this.now();
    let answer: LoadAnswer | undefined;
    let failure = '';
    try {
      answer = await this.send(request);
    } catch (error) {
      const e = error as Error & { code?: string };
      failure = e.code ?? e.message;
    }
    const sample: Sample = { op: request.op, at, ms: this.now() - at, outcome: answer ? `HTTP ${answer.status}` : failure };
    if (answer) sample.status = answer.status;
    if (answer?.retryAfter) sample.retryAfter = answer.retryAfter;
    const problemType = answer && problemTypeOf(answer);
    if (problemType) sample.problemType = problemType;
    this.samples.push(sample);
    this.settle(customer, request, answer);
  }

  /** Moves the customer on by the answer: a definite one ends a write, anything else keeps it in hand. */
  private settle(customer: Customer, request: LoadRequest, answer: LoadAnswer | undefined): void {
    const status = answer?.status;
    if (request.op === 'read') {
      customer.unread = undefined;
      return;
    }
    if (!definite(answer)) return;
    if (request.op === 'create') {
      customer.pendingCreate = undefined;
      const id = (answer?.body as { id?: unknown } | undefined)?.id;
      if (status === 201 && typeof id === 'string') {
        this.created.add(id);
        customer.unread = id;
        customer.drafts.push({ id, cancelKey: randomUUID() });
      }
      return;
    }
    const [draft] = customer.drafts.splice(0, 1);
    if (draft && status === 200) this.cancelled.add(draft.id);
  }
}

export interface Summary {
  requests: number;
  ok: number;
  /** Requests that did not succeed, by outcome (`HTTP 503`, `HTTP 500`, `timeout`, ...). */
  failures: Record<string, number>;
  /** Failures other than 503 + Retry-After, by outcome. */
  violations: Record<string, number>;
  maxLatencyMs: number;
}

/** The figures of the samples sent in [from, to) (all of them without bounds). */
export function summarize(samples: readonly Sample[], from = -Infinity, to = Infinity): Summary {
  const summary: Summary = { requests: 0, ok: 0, failures: {}, violations: {}, maxLatencyMs: 0 };
  for (const sample of samples) {
    if (sample.at < from || sample.at >= to) continue;
    summary.requests++;
    summary.maxLatencyMs = Math.max(summary.maxLatencyMs, Math.round(sample.ms));
    const v = verdict(sample);
    if (v === 'ok') {
      summary.ok++;
      continue;
    }
    const outcome = outcomeOf(sample, v);
    summary.failures[outcome] = (summary.failures[outcome] ?? 0) + 1;
    if (v === 'violation') summary.violations[outcome] = (summary.violations[outcome] ?? 0) + 1;
  }
  return summary;
}

/** A failure's outcome as the summary counts it: the status, and what kind of problem it was. */
function outcomeOf(sample: Sample, v: Verdict): string {
  if (sample.outcome === 'HTTP 503' && v === 'violation') return 'HTTP 503 without Retry-After';
  if (sample.status === 409 && sample.problemType === IDEMPOTENCY_KEY_IN_PROGRESS)
    return v === 'violation' ? 'HTTP 409 in progress without Retry-After' : 'HTTP 409 in progress + Retry-After';
  return sample.problemType ? `${sample.outcome} (${sample.problemType.replace(/^.*\//, '')})` : sample.outcome;
}

/** When the writes came back: the first successful create or cancel at or after `from`, if any. */
export function firstWriteOkAfter(samples: readonly Sample[], from: number): number | undefined {
  return samples
    .filter((s) => s.op !== 'read' && s.at >= from && verdict(s) === 'ok')
    .reduce<number | undefined>((first, s) => (first === undefined || s.at < first ? s.at : first), undefined);
}
