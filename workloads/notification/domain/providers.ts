// Delivery channels behind one interface. Development uses an in-memory provider that only records
// what it would send (no network); real SMS/email gateways implement the same interface.
export type Channel = 'email' | 'sms';
export const CHANNELS: readonly Channel[] = ['email', 'sms'];

export interface OutgoingMessage {
  id: string;
  channel: Channel;
  /** The recipient's user id; the provider resolves the address (kept out of this service's logs). */
  userId: string;
  template: string;
  variables: Record<string, string>;
}

export interface NotificationProvider {
  readonly channel: Channel;
  send(message: OutgoingMessage): Promise<{ providerMessageId: string }>;
}

export class InMemoryProvider implements NotificationProvider {
  readonly sent: OutgoingMessage[] = [];

  constructor(
    readonly channel: Channel,
    private readonly failing = false,
  ) {}

  send(message: OutgoingMessage): Promise<{ providerMessageId: string }> {
    if (this.failing) return Promise.reject(new Error(`${this.channel} provider is failing (configured)`));
    this.sent.push(message);
    return Promise.resolve({ providerMessageId: `${this.channel}-${this.sent.length}` });
  }
}
