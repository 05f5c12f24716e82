// What the notifier needs from the outside world, owned by the domain: data-access implements the
// store (PostgreSQL with its outbox), providers.ts holds the delivery channels' port.
import type { Channel } from './providers.js';

export interface NewNotification {
  id: string;
  sourceEventId: string;
  sourceEventType: string;
  userId: string;
  channel: Channel;
  template: string;
}

export type DeliveryOutcome = { status: 'sent' } | { status: 'failed'; error: string };

export interface NotificationStore {
  /**
   * Claims the (event, channel) pair for sending: the notification to send (a new one, or one left
   * `requested` by a crash, with its first id), or undefined when the pair's outcome is recorded.
   */
  claim(notification: NewNotification): Promise<NewNotification | undefined>;
  /** Records the outcome once; true if recorded now (a second outcome is ignored). */
  finish(notification: NewNotification, outcome: DeliveryOutcome): Promise<boolean>;
}

export interface Counters {
  counter(name: string, help: string, labelNames: string[]): { inc(labels: Record<string, string>): void };
}

export interface Log {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}
