// The loop that runs the webhook dispatcher: a pass every poll interval, at once again while passes
// come back full, until the service stops. A failed pass (PostgreSQL away) is logged and the loop goes
// on: the deliveries wait in their table.
import type { Log } from '../domain/ports.js';
import type { WebhookDispatcher } from '../domain/webhooks.js';

export class WebhookWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly dispatcher: Pick<WebhookDispatcher, 'dispatchDue'>,
    private readonly batch: number,
    private readonly pollMs: number,
    private readonly logger: Log,
  ) {}

  start(): void {
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass().then((full) => this.schedule(full ? 0 : this.pollMs));
    }, delayMs);
  }

  private async pass(): Promise<boolean> {
    try {
      return (await this.dispatcher.dispatchDue()) >= this.batch;
    } catch (error) {
      this.logger.warn({ err: error }, 'webhook dispatch pass failed; trying again');
      return false;
    }
  }

  /** Stops scheduling and waits for the pass under way (its requests end by their timeout). */
  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
