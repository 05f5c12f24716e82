// The notifier against in-memory ports: every channel is sent and recorded, and a channel an admin
// switched off sends nothing and records the message as suppressed.
import { describe, expect, it } from '@jest/globals';
import { newEvent } from '../../shared/events.js';
import { Notifier, ProviderUnavailableError } from './notifier.js';
import type { DeliveryPolicy } from './notifier.js';
import type { ChannelFlag, ClaimedNotification, DeliveryOutcome, NewNotification, NotificationRow, NotificationStore } from './ports.js';
import { InMemoryProvider, NoRecipientError } from './providers.js';
import type { NotificationProvider, OutgoingMessage } from './providers.js';

class MemoryNotifications implements NotificationStore {
  readonly outcomes = new Map<string, DeliveryOutcome['status']>();
  readonly deadLetters: Array<{ id: string; reason: string; tries: number }> = [];
  private readonly claimed = new Map<string, NewNotification>();
  private readonly started = new Set<string>();

  claim(n: NewNotification): Promise<ClaimedNotification | undefined> {
    const key = `${n.sourceEventId}/${n.channel}`;
    const existing = this.claimed.get(key);
    if (existing)
      return Promise.resolve(this.outcomes.has(existing.id) ? undefined : { ...existing, sendStarted: this.started.has(existing.id) });
    this.claimed.set(key, n);
    return Promise.resolve({ ...n, sendStarted: false });
  }

  markSendStarted(n: NewNotification): Promise<void> {
    this.started.add(n.id);
    return Promise.resolve();
  }

  finish(n: NewNotification, outcome: DeliveryOutcome): Promise<boolean> {
    if (this.outcomes.has(n.id)) return Promise.resolve(false);
    this.outcomes.set(n.id, outcome.status);
    if (outcome.status === 'failed' && outcome.deadLetter) this.deadLetters.push({ id: n.id, ...outcome.deadLetter });
    return Promise.resolve(true);
  }

  list(): Promise<NotificationRow[]> {
    return Promise.resolve([]);
  }

  byChannel(): Record<string, string | undefined> {
    return Object.fromEntries([...this.claimed.values()].map((n) => [n.channel, this.outcomes.get(n.id)]));
  }
}

function counters() {
  const counted: string[] = [];
  return {
    counted,
    metrics: { counter: () => ({ inc: (labels: Record<string, string>) => counted.push(`${labels.channel} ${labels.outcome}`) }) },
  };
}

const silent = { info: () => undefined, warn: () => undefined };
const approved = () => newEvent('kyc.application.approved', 'app-1', { applicationId: 'app-1', ownerId: 'user-1' }, 'checker-1');

describe('Notifier', () => {
  it('sends on every channel and records each message sent', async () => {
    const store = new MemoryNotifications();
    const providers = [new InMemoryProvider('email'), new InMemoryProvider('sms')];
    const { counted, metrics } = counters();
    await new Notifier(store, providers, silent, metrics).handle(approved());
    expect(providers.map((p) => p.sent.length)).toEqual([1, 1]);
    expect(store.byChannel()).toEqual({ email: 'sent', sms: 'sent' });
    expect(counted).toEqual(['email sent', 'sms sent']);
  });

  it('when SMS is switched off, then no SMS goes out, it is recorded as suppressed, and e-mail still goes', async () => {
    const store = new MemoryNotifications();
    const providers = [new InMemoryProvider('email'), new InMemoryProvider('sms')];
    const { counted, metrics } = counters();
    const off = new Set<ChannelFlag>(['notifications-sms']);
    const notifier = new Notifier(store, providers, silent, metrics, { isOn: (flag) => !off.has(flag) });
    const event = approved();
    await notifier.handle(event);
    expect(providers.map((p) => p.attempts)).toEqual([1, 0]);
    expect(store.byChannel()).toEqual({ email: 'sent', sms: 'suppressed' });
    expect(counted).toEqual(['email sent', 'sms suppressed']);
    // The event delivered again (at least once) changes nothing, even with the channel back on.
    off.clear();
    await notifier.handle(event);
    expect(providers.map((p) => p.attempts)).toEqual([1, 0]);
    // The next message goes out on both channels.
    await notifier.handle(approved());
    expect(providers.map((p) => p.sent.length)).toEqual([2, 1]);
  });

  it('when e-mail is switched off, then e-mail is suppressed', async () => {
    const store = new MemoryNotifications();
    const providers = [new InMemoryProvider('email'), new InMemoryProvider('sms')];
    const { metrics } = counters();
    await new Notifier(store, providers, silent, metrics, { isOn: (flag) => flag !== 'notifications-email' }).handle(approved());
    expect(store.byChannel()).toEqual({ email: 'suppressed', sms: 'sent' });
    expect(providers.map((p) => p.attempts)).toEqual([0, 1]);
  });
});

/** A provider that fails a given number of sends, then delivers; optionally without idempotency keys. */
class FlakyProvider implements NotificationProvider {
  readonly channel = 'email' as const;
  readonly delivered: OutgoingMessage[] = [];
  calls = 0;

  constructor(
    private failures: number,
    readonly idempotent = true,
    private readonly error: () => Error = () => new Error('421 service not available'),
  ) {}

  send(message: OutgoingMessage): Promise<{ providerMessageId: string }> {
    this.calls += 1;
    if (this.failures > 0) {
      this.failures -= 1;
      return Promise.reject(this.error());
    }
    this.delivered.push(message);
    return Promise.resolve({ providerMessageId: `m-${this.delivered.length}` });
  }
}

const quick = (now: () => number = () => 0): DeliveryPolicy => ({
  retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 40 },
  breaker: { failureThreshold: 2, openMs: 1000 },
  sleep: () => Promise.resolve(),
  now,
});

describe('Notifier failures', () => {
  it('when a send fails and a retry succeeds, then the message is sent once with its rendered content', async () => {
    const store = new MemoryNotifications();
    const provider = new FlakyProvider(2);
    const { counted, metrics } = counters();
    await new Notifier(store, [provider], silent, metrics, undefined, quick()).handle(approved());
    expect(provider.calls).toBe(3);
    expect(provider.delivered.map((m) => m.subject)).toEqual(['Your KYC application is approved']);
    expect(store.byChannel()).toEqual({ email: 'sent' });
    expect(counted).toEqual(['email sent']);
  });

  it('when every try fails, then the message is a dead letter (exhausted, 3 tries) and counted', async () => {
    const store = new MemoryNotifications();
    const counted: string[] = [];
    const metrics = {
      counter: (name: string) => ({ inc: (labels: Record<string, string>) => counted.push(`${name} ${Object.values(labels).join(' ')}`) }),
    };
    await new Notifier(store, [new FlakyProvider(3)], silent, metrics, undefined, quick()).handle(approved());
    expect(store.byChannel()).toEqual({ email: 'failed' });
    expect(store.deadLetters.map(({ reason, tries }) => ({ reason, tries }))).toEqual([{ reason: 'exhausted', tries: 3 }]);
    expect(counted).toEqual(['kyc_notifications_total email failed', 'kyc_notification_dead_letters_total email exhausted']);
  });

  it('when messages keep failing, then the breaker opens: the next event is not acknowledged and comes back once it closes', async () => {
    let now = 0;
    const store = new MemoryNotifications();
    const provider = new FlakyProvider(6);
    const notifier = new Notifier(
      store,
      [provider],
      silent,
      counters().metrics,
      undefined,
      quick(() => now),
    );
    await notifier.handle(approved());
    await notifier.handle(approved());
    expect(notifier.breakerStates()).toEqual({ email: 'open' });
    const third = approved();
    await expect(notifier.handle(third)).rejects.toThrow(ProviderUnavailableError);
    expect(provider.calls).toBe(6);
    // Redelivered after openMs: the trial succeeds and the breaker closes.
    now = 1000;
    await notifier.handle(third);
    expect(provider.delivered).toHaveLength(1);
    expect(notifier.breakerStates()).toEqual({ email: 'closed' });
    expect(store.deadLetters).toHaveLength(2);
  });

  it('when the recipient has no address, then it fails at once, without a dead letter and without opening the breaker', async () => {
    const store = new MemoryNotifications();
    const provider = new FlakyProvider(10, true, () => new NoRecipientError('email'));
    const notifier = new Notifier(store, [provider], silent, counters().metrics, undefined, quick());
    for (let n = 0; n < 3; n += 1) await notifier.handle(approved());
    expect(provider.calls).toBe(3);
    expect(store.deadLetters).toEqual([]);
    expect(notifier.breakerStates()).toEqual({ email: 'closed' });
  });

  it('when a crash interrupted the hand-over to a provider without idempotency keys, then the redelivered event sends nothing and dead-letters it as uncertain', async () => {
    const store = new MemoryNotifications();
    const provider = new FlakyProvider(0, false);
    const event = approved();
    // The first delivery dies after the send, before the outcome is recorded.
    const crashing = Object.assign(Object.create(store) as MemoryNotifications, {
      finish: () => Promise.reject(new Error('killed')),
    });
    await expect(new Notifier(crashing, [provider], silent, counters().metrics, undefined, quick()).handle(event)).rejects.toThrow(
      'killed',
    );
    expect(provider.delivered).toHaveLength(1);
    await new Notifier(store, [provider], silent, counters().metrics, undefined, quick()).handle(event);
    expect(provider.delivered).toHaveLength(1);
    expect(store.deadLetters.map((d) => d.reason)).toEqual(['uncertain']);
    // An idempotent provider is handed the same message again, under its first id.
    const idempotent = new FlakyProvider(0, true);
    const again = approved();
    await expect(new Notifier(crashing, [idempotent], silent, counters().metrics, undefined, quick()).handle(again)).rejects.toThrow(
      'killed',
    );
    await new Notifier(store, [idempotent], silent, counters().metrics, undefined, quick()).handle(again);
    expect(idempotent.delivered.map((m) => m.id)).toEqual([idempotent.delivered[0]?.id, idempotent.delivered[0]?.id]);
  });
});
