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

/** A notification as recorded (column names as stored). */
export interface NotificationRow {
  id: string;
  event_type: string;
  user_id: string;
  channel: Channel;
  template: string;
  status: NotificationStatus;
  created_at: Date;
}

/** suppressed: not sent because an admin switched the channel off (docs/api.md, "Feature flags"). */
export type NotificationStatus = 'requested' | 'sent' | 'failed' | 'suppressed';

/**
 * Why a message is a dead letter (docs/notifications.md, "Failures"): every try failed (`exhausted`), or
 * the service stopped between handing it to a provider that cannot take an idempotency key and
 * recording the outcome, so it may or may not have gone out and is not sent again (`uncertain`).
 */
export type DeadLetterReason = 'exhausted' | 'uncertain';

export type DeliveryOutcome =
  | { status: 'sent' }
  | { status: 'failed'; error: string; deadLetter?: { reason: DeadLetterReason; tries: number } }
  | { status: 'suppressed' };

/** A claimed notification; `sendStarted` when an earlier delivery of its event had begun sending it. */
export type ClaimedNotification = NewNotification & { sendStarted: boolean };

export interface NotificationStore {
  /**
   * Claims the (event, channel) pair for sending: the notification to send (a new one, or one left
   * `requested` by a crash, with its first id), or undefined when the pair's outcome is recorded.
   */
  claim(notification: NewNotification): Promise<ClaimedNotification | undefined>;
  /** Notes, before the first try, that the message is being handed to its provider. */
  markSendStarted(notification: NewNotification): Promise<void>;
  /**
   * Records the outcome once; true if recorded now (a second outcome is ignored). A failure with
   * `deadLetter` is also written to the dead-letter table, in the same transaction.
   */
  finish(notification: NewNotification, outcome: DeliveryOutcome): Promise<boolean>;
  /** The newest notifications first: the user's, or everyone's when `userId` is undefined. */
  list(userId: string | undefined, limit: number): Promise<NotificationRow[]>;
}

/** The flags that switch a channel off (docs/api.md, "Feature flags"); main.ts hands the live settings. */
export type ChannelFlag = 'notifications-email' | 'notifications-sms';

/** Is this feature on now? Asked for every message, so a flip applies to the next one. */
export interface FeatureSwitches {
  isOn(flag: ChannelFlag): boolean;
}

export interface Counters {
  counter(name: string, help: string, labelNames: string[]): { inc(labels: Record<string, string>): void };
}

/** The recipient's address on a channel (e-mail address, phone number), kept encrypted at rest. */
export interface ContactDirectory {
  addressOf(userId: string, channel: Channel): Promise<string | undefined>;
}

export interface Log {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}
