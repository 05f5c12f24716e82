// Delivery channels behind one interface. Development uses an in-memory provider that only records
// what it would send (no network); the SMTP and HTTP SMS adapters (data-access/) implement the same
// interface (docs/notifications.md).
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
  /** The rendered message (domain/messages.ts): an e-mail's subject and body, an SMS's text as body. */
  subject: string;
  body: string;
}

/** The recipient has no address on the channel: nothing can be sent, and trying again will not help. */
export class NoRecipientError extends Error {
  constructor(channel: Channel) {
    super(`no ${channel === 'email' ? 'e-mail address' : 'phone number'} on record for the recipient`);
    this.name = 'NoRecipientError';
  }
}

export interface NotificationProvider {
  readonly channel: Channel;
  /**
   * Whether the provider takes `message.id` as an idempotency key, so that the same message handed over
   * again after a crash is not delivered twice. SMTP cannot: a message whose hand-over a crash may have
   * interrupted is not sent again but dead-lettered as uncertain (domain/notifier.ts).
   */
  readonly idempotent: boolean;
  send(message: OutgoingMessage): Promise<{ providerMessageId: string }>;
}

export class InMemoryProvider implements NotificationProvider {
  readonly idempotent = true;
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
