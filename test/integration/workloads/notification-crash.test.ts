// At-least-once, idempotent notifications: the notification service runs as a real process, is
// killed (SIGKILL) while it works through a stream of events — with sends under way — and started
// again. Every (event, channel) ends up sent, recorded once, with one outcome event.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { newEvent } from '../../../workloads/shared/index.js';
import { captureLogs, createTestDatabase, eventServiceEnv, eventually, startOutboxPublisher, suffix } from './support.js';
import type { OutboxPublisher, TestDatabase } from './support.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '../../..');
const EVENTS = 20;
const CHANNELS = 2;

describe('notification delivery across a crash', () => {
  const prefix = `test-${suffix()}.`;
  const logs = captureLogs('notification-crash', 'warn');
  let db: TestDatabase;
  let publisher: OutboxPublisher;
  let child: ChildProcess | undefined;
  let output = '';

  function startService(sendDelayMs: number): ChildProcess {
    const proc = spawn(
      process.execPath,
      ['--import', path.join(here, 'ts-register.ts'), path.join(REPO, 'workloads/main.ts'), 'notification'],
      {
        cwd: REPO,
        env: {
          PATH: process.env.PATH ?? '',
          ...eventServiceEnv(db, prefix),
          HOST: '127.0.0.1',
          PORT: '0',
          LOG_LEVEL: 'warn',
          NOTIFICATION_CHANNELS: 'email,sms',
          NOTIFICATION_SEND_DELAY_MS: String(sendDelayMs),
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

  async function statuses(): Promise<Array<{ id: string; status: string }>> {
    const { rows } = await publisher.pool
      .query<{ id: string; status: string }>(`SELECT id, status FROM notification.notifications ORDER BY created_at, id`)
      .catch(() => ({ rows: [] as Array<{ id: string; status: string }> }));
    return rows;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    publisher = await startOutboxPublisher(db, prefix, logs.logger);
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    await publisher?.close();
    await db?.drop();
  }, 60_000);

  it('when the service is killed mid-stream and restarted, then every (event, channel) is sent and recorded exactly once', async () => {
    // Slow sends (200 ms each) so that the kill lands while a send is under way.
    child = startService(200);
    const owner = `user-${suffix()}`;
    const events = Array.from({ length: EVENTS }, (_, n) => {
      const applicationId = `app-${n}-${suffix()}`;
      return newEvent('kyc.application.submitted', applicationId, { applicationId, ownerId: owner }, owner);
    });
    await publisher.publish(...events);

    // Some sent, one claimed and not finished (its send is in progress): kill now.
    const atKill = await eventually(
      async () => {
        const rows = await statuses();
        const sent = rows.filter((r) => r.status === 'sent').length;
        return sent >= 4 && rows.some((r) => r.status === 'requested') ? rows : undefined;
      },
      90_000,
      20,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; service output: ${output}`);
    });
    child.kill('SIGKILL');
    await once(child, 'exit');
    const unfinished = atKill.filter((r) => r.status === 'requested').map((r) => r.id);
    expect(unfinished.length).toBeGreaterThan(0);
    expect(atKill.length).toBeLessThan(EVENTS * CHANNELS);

    // The restarted service resumes from the last committed offset and finishes the stream.
    child = startService(0);
    const done = await eventually(
      async () => {
        const rows = await statuses();
        return rows.length === EVENTS * CHANNELS && rows.every((r) => r.status === 'sent') ? rows : undefined;
      },
      120_000,
      200,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; service output: ${output}`);
    });
    // What was mid-send at the kill was sent again under its first id, not recorded anew.
    const ids = new Set(done.map((r) => r.id));
    for (const id of unfinished) expect(ids.has(id)).toBe(true);

    // One row per (event, channel) and exactly one outcome event per notification.
    const check = new pg.Client({ connectionString: db.url });
    await check.connect();
    try {
      const pairs = await check.query<{ n: number }>(
        `SELECT count(DISTINCT (event_id, channel))::int AS n FROM notification.notifications`,
      );
      expect(pairs.rows[0]?.n).toBe(EVENTS * CHANNELS);
      const outcomes = await check.query<{ event_type: string; n: number }>(
        `SELECT event_type, count(*)::int AS n FROM notification.outbox GROUP BY event_type ORDER BY event_type`,
      );
      expect(outcomes.rows).toEqual([
        { event_type: 'notification.requested', n: EVENTS * CHANNELS },
        { event_type: 'notification.sent', n: EVENTS * CHANNELS },
      ]);
    } finally {
      await check.end();
    }
    child.kill('SIGTERM');
    await once(child, 'exit');
  }, 240_000);
});
