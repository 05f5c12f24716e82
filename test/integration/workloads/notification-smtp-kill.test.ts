// Nothing sent twice for one event, across a real crash: the notification service runs as a process with
// SMTP pointed at Mailpit (`make deps`). The moment the message's data reaches the mail server, the path to
// PostgreSQL is frozen, so the service gets the server's 250 but cannot record the outcome; it is then
// killed (SIGKILL) and started again. Kafka delivers the unacknowledged event again: the restarted service
// must not send it a second time (SMTP takes no idempotency key), and dead-letters it as uncertain
// (docs/notifications.md, "Nothing twice"). Mailpit holds exactly one mail.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContactKeyRing, ContactRepository } from '../../../workloads/notification/data-access/contacts.js';
import { NOTIFICATION_SCHEMA, migrations } from '../../../workloads/notification/data-access/migrations.js';
import { newEvent, runMigrations } from '../../../workloads/shared/index.js';
import { FaultProxy, targetOf } from '../../support/fault-proxy.js';
import { captureLogs, createTestDatabase, eventServiceEnv, eventually, startOutboxPublisher, suffix } from './support.js';
import type { OutboxPublisher, TestDatabase } from './support.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '../../..');
const [MAILPIT_HOST, MAILPIT_PORT] = (process.env.MAILPIT_SMTP ?? '127.0.0.1:11025').split(':') as [string, string];
const MAILPIT_API = process.env.MAILPIT_API ?? 'http://127.0.0.1:18025';
const KEYS = `test:${randomBytes(32).toString('base64')}`;

async function mailCount(address: string): Promise<number> {
  const response = await fetch(`${MAILPIT_API}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}`);
  if (!response.ok) throw new Error(`Mailpit search answered ${response.status}`);
  return ((await response.json()) as { messages_count: number }).messages_count;
}

/** A TCP relay to Mailpit that calls `onData` when a client's message data ends (the SMTP "\r\n.\r\n"). */
async function smtpRelay(onData: () => void): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(MAILPIT_PORT), MAILPIT_HOST);
    sockets.add(client).add(upstream);
    // The end of the message data may arrive split across chunks ("...\r\n" then ".\r\n"): look at it
    // with the last bytes of the chunk before.
    let tail = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      const seen = Buffer.concat([tail, chunk]);
      if (seen.includes('\r\n.\r\n')) onData();
      tail = seen.subarray(Math.max(0, seen.length - 4));
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe('an e-mail across a crash between send and acknowledgement', () => {
  const prefix = `test-${suffix()}.`;
  const logs = captureLogs('notification-smtp-kill', 'warn');
  let db: TestDatabase;
  let publisher: OutboxPublisher;
  let postgres: FaultProxy;
  let relay: { port: number; close(): void };
  let child: ChildProcess | undefined;
  let output = '';

  function startService(databaseUrl: string, smtpPort: string): ChildProcess {
    const proc = spawn(
      process.execPath,
      ['--import', path.join(here, 'ts-register.ts'), path.join(REPO, 'workloads/main.ts'), 'notification'],
      {
        cwd: REPO,
        env: {
          PATH: process.env.PATH ?? '',
          ...eventServiceEnv(db, prefix),
          DATABASE_URL: databaseUrl,
          HOST: '127.0.0.1',
          PORT: '0',
          LOG_LEVEL: 'warn',
          NOTIFICATION_CHANNELS: 'email',
          SMTP_HOST: MAILPIT_HOST,
          SMTP_PORT: smtpPort,
          SMTP_TLS: 'none',
          SMTP_FROM: 'kyc@bank.example',
          NOTIFICATION_CONTACT_KEYS: KEYS,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const keep = (chunk: Buffer) => {
      output = `${output}${chunk.toString('utf8')}`.slice(-20_000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    return proc;
  }

  const withOutput = (error: unknown) => {
    throw new Error(`${(error as Error).message}; service output: ${output}`);
  };

  beforeAll(async () => {
    const info = await fetch(`${MAILPIT_API}/api/v1/info`).catch(() => undefined);
    if (!info?.ok) throw new Error(`Mailpit is not answering at ${MAILPIT_API}: run 'make deps'`);
    db = await createTestDatabase();
    publisher = await startOutboxPublisher(db, prefix, logs.logger);
    await runMigrations(publisher.pool, NOTIFICATION_SCHEMA, migrations);
    postgres = await FaultProxy.start(targetOf(db.url));
    relay = await smtpRelay(() => void postgres.freeze());
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    relay?.close();
    await postgres?.stop();
    await publisher?.close();
    await db?.drop();
  }, 60_000);

  it('when the service is killed after the mail server took the message and before the outcome is recorded, then the restarted service sends nothing more: one mail, dead-lettered as uncertain', async () => {
    const owner = `user-${suffix()}`;
    const address = `${owner}@customer.example`;
    await new ContactRepository(publisher.pool, new ContactKeyRing(KEYS)).save(owner, 'email', address);
    child = startService(postgres.rewrite(db.url), String(relay.port));
    const event = newEvent('kyc.application.approved', `app-${suffix()}`, { ownerId: owner }, 'checker-1');
    await publisher.publish(event);

    // The mail is in Mailpit and PostgreSQL has been frozen since its data went out: kill now.
    await eventually(async () => ((await mailCount(address)) === 1 ? true : undefined), 60_000, 50).catch(withOutput);
    expect(postgres.mode).toBe('freeze');
    child.kill('SIGKILL');
    await once(child, 'exit');
    await postgres.pass();
    const before = await publisher.pool.query<{ status: string }>(
      `SELECT status FROM ${NOTIFICATION_SCHEMA}.notifications WHERE event_id = $1`,
      [event.id],
    );
    expect(before.rows).toEqual([{ status: 'requested' }]);

    // Restarted (straight to PostgreSQL and Mailpit): the event comes again, nothing is sent again.
    child = startService(db.url, MAILPIT_PORT);
    const outcome = await eventually(
      async () => {
        const { rows } = await publisher.pool.query<{ status: string; reason: string }>(
          `SELECT n.status, d.reason FROM ${NOTIFICATION_SCHEMA}.notifications n
             JOIN ${NOTIFICATION_SCHEMA}.dead_letters d ON d.notification_id = n.id WHERE n.event_id = $1`,
          [event.id],
        );
        return rows.length > 0 ? rows : undefined;
      },
      60_000,
      200,
    ).catch(withOutput);
    expect(outcome).toEqual([{ status: 'failed', reason: 'uncertain' }]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await mailCount(address)).toBe(1);
    child.kill('SIGTERM');
    await once(child, 'exit');
  }, 150_000);
});
