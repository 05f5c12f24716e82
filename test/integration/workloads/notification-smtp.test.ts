// E-mail that reaches people: the notification service sends through SMTP to Mailpit (`make deps`), and
// the test reads what was delivered through Mailpit's API. Also: a message whose send an abort cut off
// before its outcome was recorded is not sent again (one mail in Mailpit), and a mail server that is away
// leaves a dead letter (docs/notifications.md).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { ContactKeyRing, ContactRepository } from '../../../workloads/notification/data-access/contacts.js';
import { NOTIFICATION_SCHEMA } from '../../../workloads/notification/data-access/migrations.js';
import { NotificationRepository } from '../../../workloads/notification/data-access/notifications.js';
import { SmtpProvider } from '../../../workloads/notification/data-access/smtp-provider.js';
import type { SmtpSettings } from '../../../workloads/notification/data-access/smtp-provider.js';
import { Notifier } from '../../../workloads/notification/domain/notifier.js';
import type { DeliveryPolicy } from '../../../workloads/notification/domain/notifier.js';
import type { NotificationStore } from '../../../workloads/notification/domain/ports.js';
import { startNotification } from '../../../workloads/notification/main.js';
import type { RunningNotification } from '../../../workloads/notification/main.js';
import { createPool, newEvent } from '../../../workloads/shared/index.js';
import type { Pool } from '../../../workloads/shared/index.js';
import {
  captureLogs,
  createTestDatabase,
  eventServiceEnv,
  eventually,
  request,
  signToken,
  startOutboxPublisher,
  suffix,
} from './support.js';
import type { OutboxPublisher, TestDatabase } from './support.js';

// `make deps` prints these (hack/deps.sh env); the defaults are its ports.
const [SMTP_HOST, SMTP_PORT] = (process.env.MAILPIT_SMTP ?? '127.0.0.1:11025').split(':') as [string, string];
const MAILPIT_API = process.env.MAILPIT_API ?? 'http://127.0.0.1:18025';
const KEYS = `test:${randomBytes(32).toString('base64')}`;

interface MailpitMessage {
  ID: string;
  Subject: string;
  To: Array<{ Address: string }>;
  MessageID: string;
}

/** The messages Mailpit holds for `address`. */
async function mailTo(address: string): Promise<MailpitMessage[]> {
  const response = await fetch(`${MAILPIT_API}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}&limit=50`);
  if (!response.ok) throw new Error(`Mailpit search answered ${response.status}`);
  return ((await response.json()) as { messages: MailpitMessage[] }).messages;
}

async function bodyOf(id: string): Promise<string> {
  return ((await (await fetch(`${MAILPIT_API}/api/v1/message/${id}`)).json()) as { Text: string }).Text;
}

const quick: DeliveryPolicy = { retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 50 }, breaker: { failureThreshold: 5, openMs: 60_000 } };
const silent = { info: () => undefined, warn: () => undefined };

describe('notifications by e-mail through SMTP (Mailpit)', () => {
  const prefix = `test-${suffix()}.`;
  const logs = captureLogs('notification-smtp', 'info');
  let db: TestDatabase;
  let publisher: OutboxPublisher;
  let notification: RunningNotification;
  let pool: Pool;

  beforeAll(async () => {
    const info = await fetch(`${MAILPIT_API}/api/v1/info`).catch(() => undefined);
    if (!info?.ok) throw new Error(`Mailpit is not answering at ${MAILPIT_API}: run 'make deps'`);
    db = await createTestDatabase();
    notification = await startNotification({
      port: 0,
      host: '127.0.0.1',
      logger: logs.logger,
      env: {
        ...eventServiceEnv(db, prefix),
        SMTP_HOST,
        SMTP_PORT,
        SMTP_TLS: 'none',
        SMTP_FROM: 'KYC <kyc@bank.example>',
        NOTIFICATION_CHANNELS: 'email',
        NOTIFICATION_CONTACT_KEYS: KEYS,
      },
    });
    publisher = await startOutboxPublisher(db, prefix, logs.logger);
    pool = createPool(db.url);
  }, 90_000);

  afterAll(async () => {
    await pool?.end();
    await publisher?.close();
    await notification?.close();
    await db?.drop();
  }, 60_000);

  it('when a customer gave an address and the application is approved, then the mail arrives with the approval, and the address is kept only sealed', async () => {
    const owner = `user-${suffix()}`;
    const address = `${owner}@customer.example`;
    const token = await signToken({ sub: owner, role: 'customer' });
    const saved = await request(`${notification.url}/api/v1/notifications/contact`, { method: 'PUT', token, body: { email: address } });
    expect(saved.status).toBe(204);
    const applicationId = `app-${suffix()}`;
    await publisher.publish(
      newEvent(
        'kyc.application.resubmission_requested',
        applicationId,
        { applicationId, ownerId: owner, documents: ['passport'], reason: 'The photo page is blurred' },
        'maker-1',
      ),
      newEvent('kyc.application.approved', applicationId, { applicationId, ownerId: owner }, 'checker-1'),
    );
    const mail = await eventually(async () => {
      const list = await mailTo(address);
      return list.length >= 2 ? list : undefined;
    }, 30_000);
    expect(mail.map((m) => m.Subject).sort()).toEqual([
      'We need more from you for your KYC application',
      'Your KYC application is approved',
    ]);
    const request_ = mail.find((m) => m.Subject.startsWith('We need')) as MailpitMessage;
    const text = await bodyOf(request_.ID);
    expect(text).toContain('Please upload: passport.');
    expect(text).toContain('The photo page is blurred');
    expect(text).toContain(applicationId);

    const stored = await pool.query<{ sealed: Buffer }>(`SELECT sealed FROM ${NOTIFICATION_SCHEMA}.contacts WHERE user_id = $1`, [owner]);
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]?.sealed.toString('latin1')).not.toContain(owner);
    expect(logs.text()).toContain('notification sent');
    expect(logs.text()).not.toContain(address);
  }, 60_000);

  it('when the service aborts between the SMTP send and recording the outcome, then the redelivered event sends nothing more: one mail, dead-lettered as uncertain', async () => {
    const owner = `user-${suffix()}`;
    const address = `${owner}@customer.example`;
    const contacts = new ContactRepository(pool, new ContactKeyRing(KEYS));
    await contacts.save(owner, 'email', address);
    const repository = new NotificationRepository(pool, prefix);
    const smtp: SmtpSettings = { host: SMTP_HOST, port: Number(SMTP_PORT), from: 'kyc@bank.example', tls: 'none', timeoutMs: 5000 };
    const provider = new SmtpProvider(smtp, contacts);
    const event = newEvent('kyc.application.approved', `app-${suffix()}`, { ownerId: owner }, 'checker-1');
    // The first run dies once the mail server has the message and before the outcome is written: the
    // event's offset is never committed, so Kafka delivers it again to the next run.
    const aborting: NotificationStore = Object.assign(Object.create(repository) as NotificationRepository, {
      finish: () => Promise.reject(new Error('aborted between send and acknowledgement')),
    });
    try {
      await expect(
        new Notifier(aborting, [provider], silent, notification.service.metrics, undefined, quick).handle(event),
      ).rejects.toThrow('aborted');
      await eventually(async () => ((await mailTo(address)).length === 1 ? true : undefined), 10_000);
      await new Notifier(repository, [provider], silent, notification.service.metrics, undefined, quick).handle(event);
      const { rows } = await pool.query<{ status: string; reason: string }>(
        `SELECT n.status, d.reason FROM ${NOTIFICATION_SCHEMA}.notifications n JOIN ${NOTIFICATION_SCHEMA}.dead_letters d ON d.notification_id = n.id WHERE n.event_id = $1`,
        [event.id],
      );
      expect(rows).toEqual([{ status: 'failed', reason: 'uncertain' }]);
      // Give a second mail every chance to arrive: there is none.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await mailTo(address)).toHaveLength(1);
    } finally {
      provider.close();
    }
  }, 60_000);

  it('when the mail server is away, then the message is tried with backoff, dead-lettered as exhausted and counted', async () => {
    const owner = `user-${suffix()}`;
    const contacts = new ContactRepository(pool, new ContactKeyRing(KEYS));
    await contacts.save(owner, 'email', `${owner}@customer.example`);
    const repository = new NotificationRepository(pool, prefix);
    // A port nothing listens on: connection refused on every try.
    const provider = new SmtpProvider({ host: '127.0.0.1', port: 1, from: 'kyc@bank.example', tls: 'none', timeoutMs: 2000 }, contacts);
    const event = newEvent('kyc.application.submitted', `app-${suffix()}`, { ownerId: owner }, owner);
    try {
      await new Notifier(repository, [provider], silent, notification.service.metrics, undefined, quick).handle(event);
    } finally {
      provider.close();
    }
    const { rows } = await pool.query<{ reason: string; tries: number; error: string }>(
      `SELECT reason, tries, error FROM ${NOTIFICATION_SCHEMA}.dead_letters WHERE event_id = $1`,
      [event.id],
    );
    expect(rows).toEqual([{ reason: 'exhausted', tries: 3, error: expect.stringContaining('SMTP send failed: ESOCKET') }]);
    expect(rows[0]?.error).not.toContain(owner);
    const metrics = await notification.service.metrics.registry.metrics();
    expect(metrics).toMatch(/kyc_notification_dead_letters_total\{[^}]*channel="email"[^}]*reason="exhausted"[^}]*\} 1/);
  }, 60_000);
});
