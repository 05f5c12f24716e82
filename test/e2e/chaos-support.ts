// What the chaos suite (chaos.test.ts, docs/benchmarks.md "Chaos") does to the platform and reads back
// from it: the load's HTTP client, the faults (host processes through hack/deps.sh and hack/cluster.sh,
// pods through the API), a watcher of what status said, and the database's record of accepted writes
// and delivered events.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import type pg from 'pg';
import type { LoadAnswer, Send } from '../support/chaos/load.js';
import { depsSetting } from './consumer-groups.js';
import { NAMESPACE, PLATFORM, core, getPlatform, kc } from './support.js';
import type { Platform } from './support.js';

const run = promisify(execFile);
export const REPO_ROOT = new URL('../../', import.meta.url).pathname;
/** The load's client timeout: far above the gateway's 3 s upstream budget, so a timeout is a hang. */
export const CLIENT_TIMEOUT_MS = 10_000;
export const OPERATOR_NAMESPACE = process.env.E2E_OPERATOR_NAMESPACE || 'kyc-system';
export const OPERATOR_LEASE = 'kyc-operator-leader';
const coordination = kc.makeApiClient(k8s.CoordinationV1Api);

/** The load's `send`: one request through the gateway, with the client timeout. */
export function gatewaySend(base: string): Send {
  return async (request) => {
    const headers: Record<string, string> = { authorization: `Bearer ${request.token}` };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    if (request.idempotencyKey) headers['idempotency-key'] = request.idempotencyKey;
    try {
      const res = await fetch(`${base}/api/v1${request.path}`, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
      });
      const text = await res.text();
      const answer: LoadAnswer = { status: res.status, retryAfter: res.headers.get('retry-after') };
      if ((res.headers.get('content-type') ?? '').includes('json') && text) answer.body = JSON.parse(text) as unknown;
      return answer;
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      throw Object.assign(new Error(e.message), { code: e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? e.message) });
    }
  };
}

// ---- host processes ----

async function script(path: string, ...args: string[]): Promise<void> {
  await run(join(REPO_ROOT, path), args, { cwd: REPO_ROOT, timeout: 180_000 });
}

export type Dependency = 'postgres' | 'redis' | 'kafka' | 'kms';
/** A crash of one dependency (PostgreSQL: immediate shutdown), a clean stop, and its start; all idempotent. */
export const killDependency = (name: Dependency): Promise<void> => script('hack/deps.sh', 'kill', name);
export const stopDependency = (name: Dependency): Promise<void> => script('hack/deps.sh', 'stop', name);
export const startDependency = (name: Dependency): Promise<void> => script('hack/deps.sh', 'start', name);
export const killApiServer = (): Promise<void> => script('hack/cluster.sh', 'kill', 'apiserver');
/** Starts the API server when it is not running and waits until it is ready. */
export const startApiServer = (): Promise<void> => script('hack/cluster.sh', 'start', 'apiserver');

// ---- pods ----

export async function leaseHolder(): Promise<{ holder: string; transitions: number }> {
  const lease = await coordination.readNamespacedLease({ namespace: OPERATOR_NAMESPACE, name: OPERATOR_LEASE });
  return { holder: lease.spec?.holderIdentity ?? '', transitions: lease.spec?.leaseTransitions ?? 0 };
}

/** Deletes a pod at once (grace period 0): a crash, not a drain. */
export async function killPod(namespace: string, name: string): Promise<void> {
  await core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 });
}

export function ready(pod: k8s.V1Pod): boolean {
  return !pod.metadata?.deletionTimestamp && (pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);
}

export async function pods(namespace: string, labelSelector: string): Promise<k8s.V1Pod[]> {
  return (await core.listNamespacedPod({ namespace, labelSelector })).items;
}

// ---- what the platform said ----

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

type PlatformStatus = {
  phase?: string;
  readyComponents?: string;
  conditions?: Condition[];
  components?: Record<string, { ready?: number; desired?: number }>;
};

async function platformStatus(): Promise<PlatformStatus | undefined> {
  return ((await getPlatform()) as Platform & { status?: PlatformStatus }).status;
}

/** The platform is Normal: Ready, every component ready, no Degraded condition True. */
export async function platformNormal(): Promise<boolean> {
  const status = await platformStatus();
  const conditions = status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  const [up, all] = (status?.readyComponents ?? '0/1').split('/');
  return ready?.status === 'True' && up === all && !conditions.some((c) => c.type === 'Degraded' && c.status === 'True');
}

/** What status says, in short lines: conditions that are not as they should be, components not all ready. */
export function statusLines(status: PlatformStatus | undefined): string[] {
  const lines: string[] = [];
  for (const c of status?.conditions ?? []) {
    const bad = (c.type === 'Ready' && c.status !== 'True') || (c.type === 'Degraded' && c.status === 'True');
    if (bad) lines.push(`${c.type}=${c.status} ${c.reason ?? ''}: ${c.message ?? ''}`);
  }
  for (const [name, component] of Object.entries(status?.components ?? {})) {
    if ((component.ready ?? 0) < (component.desired ?? 0))
      lines.push(`component ${name} ready ${component.ready ?? 0}/${component.desired ?? 0}`);
  }
  return lines;
}

/** Polls the platform's status every half second and keeps each distinct line it said, in order. */
export function watchStatus(): { stop: () => Promise<string[]> } {
  const said: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        for (const line of statusLines(await platformStatus())) if (!said.includes(line)) said.push(line);
      } catch {
        // The API server may be the fault: nothing to read now.
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return said;
    },
  };
}

/** The platform's Events since `since` (ms since the epoch), as `Event Type/Reason: message`. */
export async function platformEvents(since: number): Promise<string[]> {
  const { items } = await core.listNamespacedEvent({ namespace: NAMESPACE, fieldSelector: `involvedObject.name=${PLATFORM}` });
  return items
    .filter((e) => {
      const at = e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
      return at !== undefined && new Date(at).getTime() >= since - 1000;
    })
    .map((e) => `Event ${e.type ?? ''}/${e.reason ?? ''}: ${e.message ?? ''}`);
}

// ---- the database ----

/** The host's DATABASE_URL: from the environment, else from `make deps`'s connection settings. */
export function databaseUrl(): string {
  return depsSetting('DATABASE_URL');
}

export interface Ledger {
  /** Accepted applications missing from the database, or an accepted cancel not recorded. */
  lost: string[];
  /** Accepted events not sent from the outbox, not counted by analytics, or not notified on every channel; or recorded more than once. */
  notDeliveredOnce: string[];
  /** Applications of the load's customers that no answer accepted. */
  unaccounted: number;
}

/**
 * What the database says of the accepted writes: each application is there (cancelled when its cancel
 * was accepted), the outbox holds exactly one created (and cancelled) event for it, sent; analytics
 * recorded each event id (its idempotency record, so the count moved once); notification recorded one
 * outcome per channel for each cancellation (its idempotency record: one row per event and channel).
 */
export async function ledger(
  pool: pg.Pool,
  created: readonly string[],
  cancelled: readonly string[],
  owners: readonly string[],
  channels: readonly string[],
): Promise<Ledger> {
  const result: Ledger = { lost: [], notDeliveredOnce: [], unaccounted: 0 };
  const apps = await pool.query<{ id: string; state: string }>('SELECT id::text, state FROM kyc.applications WHERE id = ANY($1::uuid[])', [
    created,
  ]);
  const state = new Map(apps.rows.map((r) => [r.id, r.state]));
  for (const id of created) if (!state.has(id)) result.lost.push(`application ${id} missing`);
  for (const id of cancelled)
    if (state.has(id) && state.get(id) !== 'cancelled')
      result.lost.push(`application ${id} ${state.get(id) ?? ''}, its cancel was accepted`);
  const mine = await pool.query<{ n: string }>('SELECT count(*) AS n FROM kyc.applications WHERE owner_id = ANY($1::text[])', [owners]);
  result.unaccounted = Number(mine.rows[0]?.n ?? 0) - created.length;

  const events = await pool.query<{ key: string; event_type: string; event_id: string; sent: boolean }>(
    `SELECT key, event_type, event_id::text, sent_at IS NOT NULL AS sent FROM kyc.outbox
      WHERE key = ANY($1::text[]) AND event_type IN ('kyc.application.created', 'kyc.application.cancelled')`,
    [created],
  );
  const expected = [...created.map((id) => `${id} kyc.application.created`), ...cancelled.map((id) => `${id} kyc.application.cancelled`)];
  const byKey = new Map<string, { event_id: string; sent: boolean }[]>();
  for (const row of events.rows) byKey.set(`${row.key} ${row.event_type}`, [...(byKey.get(`${row.key} ${row.event_type}`) ?? []), row]);
  const ids: string[] = [];
  const cancelEvents: string[] = [];
  for (const key of expected) {
    const rows = byKey.get(key) ?? [];
    if (rows.length !== 1) result.notDeliveredOnce.push(`${key}: ${rows.length} outbox events`);
    for (const row of rows) {
      if (!row.sent) result.notDeliveredOnce.push(`${key}: not sent from the outbox`);
      ids.push(row.event_id);
      if (key.endsWith('cancelled')) cancelEvents.push(row.event_id);
    }
  }
  const seen = await pool.query<{ event_id: string }>('SELECT event_id::text FROM analytics.events_seen WHERE event_id = ANY($1::uuid[])', [
    ids,
  ]);
  const seenIds = new Set(seen.rows.map((r) => r.event_id));
  for (const id of ids) if (!seenIds.has(id)) result.notDeliveredOnce.push(`event ${id}: not recorded by analytics`);
  const notified = await pool.query<{ event_id: string; channel: string; status: string }>(
    'SELECT event_id::text, channel, status FROM notification.notifications WHERE event_id = ANY($1::uuid[])',
    [cancelEvents],
  );
  for (const id of cancelEvents) {
    for (const channel of channels) {
      const rows = notified.rows.filter((r) => r.event_id === id && r.channel === channel);
      if (rows.length !== 1 || rows[0]?.status === 'requested')
        result.notDeliveredOnce.push(`event ${id}: ${channel} notification ${rows.map((r) => r.status).join(',') || 'missing'}`);
    }
  }
  return result;
}

/** The user id (`sub`) of an access token, read without verifying it (it is ours). */
export function tokenSubject(token: string): string {
  const payload = token.split('.')[1] ?? '';
  return String((JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }).sub);
}
