// The notifier against in-memory ports: every channel is sent and recorded, and a channel an admin
// switched off sends nothing and records the message as suppressed.
import { describe, expect, it } from '@jest/globals';
import { newEvent } from '../../shared/events.js';
import { Notifier } from './notifier.js';
import type { ChannelFlag, DeliveryOutcome, NewNotification, NotificationRow, NotificationStore } from './ports.js';
import { InMemoryProvider } from './providers.js';

class MemoryNotifications implements NotificationStore {
  readonly outcomes = new Map<string, DeliveryOutcome['status']>();
  private readonly claimed = new Map<string, NewNotification>();

  claim(n: NewNotification): Promise<NewNotification | undefined> {
    const key = `${n.sourceEventId}/${n.channel}`;
    const existing = this.claimed.get(key);
    if (existing) return Promise.resolve(this.outcomes.has(existing.id) ? undefined : existing);
    this.claimed.set(key, n);
    return Promise.resolve(n);
  }

  finish(n: NewNotification, outcome: DeliveryOutcome): Promise<boolean> {
    if (this.outcomes.has(n.id)) return Promise.resolve(false);
    this.outcomes.set(n.id, outcome.status);
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
