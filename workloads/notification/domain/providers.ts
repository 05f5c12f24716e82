// Delivery channels behind one interface. Development uses an in-memory provider that only records
// what it would send (no network); real SMS/email gateways implement the same interface.
export type Channel = 'email' | 'sms';
export const CHANNELS: readonly Channel[] = ['email', 'sms'];

export interface OutgoingMessage {
  /** The notification id: the same message may be handed over again after a crash, always with the same id. */
  id: string;
  channel: Channel;
  /** The recipient's user id; the provider resolves the address (kept out of this service's logs). */
  userId: string;
  template: string;
  variables: Record<string, string>;
}

export interface NotificationProvider {
  readonly channel: Channel;
  /** Must be idempotent by `message.id` (real gateways take it as the idempotency key). */
  send(message: OutgoingMessage): Promise<{ providerMessageId: string }>;
}

export class InMemoryProvider implements NotificationProvider {
  readonly sent: OutgoingMessage[] = [];
  /** Hand-overs including repeats of an id already sent (which are not sent again). */
  attempts = 0;
  private readonly byId = new Map<string, string>();

  constructor(
    readonly channel: Channel,
    private readonly failing = false,
    /** Simulated gateway latency (development and tests). */
    private readonly delayMs = 0,
  ) {}

  async send(message: OutgoingMessage): Promise<{ providerMessageId: string }> {
    this.attempts += 1;
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failing) throw new Error(`${this.channel} provider is failing (configured)`);
    const known = this.byId.get(message.id);
    if (known !== undefined) return { providerMessageId: known };
    this.sent.push(message);
    const providerMessageId = `${this.channel}-${this.sent.length}`;
    this.byId.set(message.id, providerMessageId);
    return { providerMessageId };
  }
}
