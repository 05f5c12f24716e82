// Start-up and graceful shutdown. SIGTERM turns /ready 503, then closers run in reverse order of
// registration: the HTTP server drains first (registered last), then consumers, relays and pools.
import type { Logger } from './logger.js';
import { shutdownTracing } from './tracing.js';

type Closer = { name: string; close: () => Promise<void> | void };

export class Lifecycle {
  private ready = false;
  private draining = false;
  /** Conditions start-up must meet besides listening (e.g. the gateway's upstream warm-up); asked by /ready. */
  private readonly readinessGates: Array<() => boolean> = [];
  private readonly closers: Closer[] = [];
  private shutdownPromise: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  isReady(): boolean {
    return this.ready && !this.draining && this.readinessGates.every((gate) => gate());
  }

  /** /ready answers 503 until `gate` returns true too (it is asked on every probe). */
  holdReadiness(gate: () => boolean): void {
    this.readinessGates.push(gate);
  }

  isDraining(): boolean {
    return this.draining;
  }

  markReady(): void {
    this.ready = true;
  }

  /** Registers something to close at shutdown; the last registered closes first. */
  onShutdown(name: string, close: () => Promise<void> | void): void {
    this.closers.push({ name, close });
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.runShutdown();
    return this.shutdownPromise;
  }

  private async runShutdown(): Promise<void> {
    this.draining = true;
    for (const closer of [...this.closers].reverse()) {
      try {
        await closer.close();
      } catch (error) {
        this.logger.warn({ err: error, closer: closer.name }, 'error while closing');
      }
    }
    this.logger.info('shutdown complete');
  }
}

/** The part of `process` that signal handling uses (tests pass a fake). */
export interface SignalTarget {
  once(signal: NodeJS.Signals, handler: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
}

/** SIGTERM/SIGINT → graceful shutdown → exit 0 (1 if shutdown itself fails). */
export function exitOnSignals(lifecycle: Lifecycle, logger: Logger, target: SignalTarget = process): void {
  const handler = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'shutting down');
    // The spans still buffered are exported before the process goes (docs/observability.md, "Traces").
    lifecycle
      .shutdown()
      .then(() => shutdownTracing().catch(() => undefined))
      .then(
        () => target.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          target.exit(1);
        },
      );
  };
  target.once('SIGTERM', handler);
  target.once('SIGINT', handler);
}
