// Chaos on the real node, measured (docs/benchmarks.md, "Chaos"): a steady, bounded load of writes and
// reads through the gateway of the platform `make up` runs while, one at a time, PostgreSQL is killed
// for 20 s, Redis for 20 s, Kafka for 60 s, the operator's leader pod and a kyc pod are killed, and the
// kube-apiserver is killed for 20 s. For each fault the standard is:
//   - every application the API accepted (2xx) is in the database afterwards, and every accepted event
//     is delivered exactly once in effect (outbox sent; analytics' and notification's idempotency
//     records hold it once);
//   - a request fails only with 503 + Retry-After (or, for a retry whose key its first attempt still
//     holds, 409 idempotency-key-in-progress + Retry-After): never a 500, never a hang past the client timeout;
//   - the platform returns to Normal by itself (Ready, no Degraded condition) within a bound;
//   - status and Events said what happened.
// The figures of every fault go to .test-results/chaos-figures.json as soon as it is measured. Every
// fault is undone in a finally block, and again after the suite, so the suites and people after it
// find the platform whole. It runs last of the e2e suites (test/support/sequencer.js): it stops what
// everything shares.
//
//   CHAOS_FAULTS                 comma-separated keys to run (default: all): baseline, postgres, redis,
//                                kafka, operator-leader, kyc-pod, apiserver; `baseline` alone touches nothing
//   CHAOS_RECOVERY_BOUND_SECONDS how long the platform has to return to Normal after a fault (default 180)
//   CHAOS_STEADY_SECONDS         load before each fault and after its recovery (default 10)
//   CHAOS_DELIVERY_BOUND_SECONDS how long accepted events have to be delivered after the load (default 120)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { Load, firstWriteOkAfter, summarize } from '../support/chaos/load.js';
import { machineLine, markdownTable } from '../support/chaos/report.js';
import type { ChaosReport, FaultFigures } from '../support/chaos/report.js';
import {
  OPERATOR_NAMESPACE,
  REPO_ROOT,
  databaseUrl,
  gatewaySend,
  killApiServer,
  killDependency,
  killPod,
  leaseHolder,
  ledger,
  platformEvents,
  platformNormal,
  pods,
  ready,
  startApiServer,
  startDependency,
  tokenSubject,
  watchStatus,
} from './chaos-support.js';
import type { Dependency, Ledger } from './chaos-support.js';
import { NAMESPACE, PLATFORM, activeColor, customerTokens, eventually, gatewayUrl, getPlatform, request, waitReady } from './support.js';

const RECOVERY_BOUND_MS = Number(process.env.CHAOS_RECOVERY_BOUND_SECONDS || 180) * 1000;
/** How long accepted events have to be delivered once the load stopped. */
const DELIVERY_BOUND_MS = Number(process.env.CHAOS_DELIVERY_BOUND_SECONDS || 120) * 1000;
/** Load before the fault and after recovery, so both sides of it are measured. */
const STEADY_MS = Number(process.env.CHAOS_STEADY_SECONDS || 10) * 1000;
/** How long the platform must stay Normal to count as recovered. */
const STABLE_MS = 5_000;
const CUSTOMERS = 4;
/** Each customer's pause between requests: about 3 requests/s each, far under the gateway's 10/s per user. */
const PAUSE_MS = 250;
const CHANNELS = ['email', 'sms'];
const FIGURES = join(REPO_ROOT, '.test-results/chaos-figures.json');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Fault {
  key: string;
  title: string;
  /** Starts the fault; what it returns is handed to `end`. */
  inject: () => Promise<string>;
  holdMs: number;
  /** Ends the fault (a restart), or waits until the cluster ended it (a replacement pod, a new leader); returns what it saw. */
  end: (injected: string) => Promise<string | undefined>;
  /** Undoes the fault whatever state it is in (idempotent): the safety net after a failure. */
  restore: () => Promise<void>;
  /** What status and Events must have said; the problems when they did not. */
  expectSaid: (said: string[]) => string[];
  /** Besides the platform being Normal: the part the fault hit is whole again. */
  whole?: () => Promise<boolean>;
}

function dependencyFault(key: Dependency, name: string, seconds: number): Fault {
  const names = new RegExp(key === 'postgres' ? 'postgres' : key, 'i');
  return {
    key,
    title: `${name} killed ${seconds} s`,
    inject: async () => {
      await killDependency(key);
      return '';
    },
    holdMs: seconds * 1000,
    end: async () => {
      await startDependency(key);
      return undefined;
    },
    restore: () => startDependency(key),
    expectSaid: (said) => [
      ...(said.some((l) => l.startsWith('Degraded=True') && names.test(l))
        ? []
        : [`status never showed a Degraded condition naming ${key}`]),
      ...(said.some((l) => l.startsWith('Event') && names.test(l)) ? [] : [`no Event of the platform named ${key}`]),
    ],
  };
}

const kycSelector = async (): Promise<string> => {
  const color = await activeColor();
  return `app.kubernetes.io/instance=${PLATFORM},app.kubernetes.io/component=kyc${color ? `,kyc.dev/color=${color}` : ''}`;
};
const operatorSelector = 'app.kubernetes.io/name=kyc-operator';

const FAULTS: Fault[] = [
  {
    key: 'baseline',
    title: 'no fault (10 s)',
    inject: () => Promise.resolve(''),
    holdMs: 10_000,
    end: () => Promise.resolve(undefined),
    restore: () => Promise.resolve(),
    expectSaid: () => [],
  },
  dependencyFault('postgres', 'PostgreSQL', 20),
  dependencyFault('redis', 'Redis', 20),
  dependencyFault('kafka', 'Kafka', 60),
  {
    key: 'operator-leader',
    title: 'operator leader pod killed',
    inject: async () => {
      const { holder } = await leaseHolder();
      if (!holder) throw new Error(`Lease ${OPERATOR_NAMESPACE}/kyc-operator-leader has no holder`);
      await killPod(OPERATOR_NAMESPACE, holder);
      return holder;
    },
    holdMs: 0,
    end: async (old) => {
      const since = Date.now();
      const now = await eventually(
        'another operator pod to take the Lease',
        async () => {
          const lease = await leaseHolder();
          return lease.holder && lease.holder !== old ? lease : undefined;
        },
        120_000,
        200,
      );
      return `Lease kyc-operator-leader: ${old} → ${now.holder} (${((Date.now() - since) / 1000).toFixed(1)} s after the kill; ${now.transitions} transitions)`;
    },
    restore: () => Promise.resolve(), // the Deployment replaces the pod itself
    expectSaid: (said) => (said.some((l) => l.startsWith('Lease')) ? [] : ['the Lease never named a new leader']),
    whole: async () => (await pods(OPERATOR_NAMESPACE, operatorSelector)).filter(ready).length >= 2,
  },
  {
    key: 'kyc-pod',
    title: 'kyc pod killed',
    inject: async () => {
      const victim = (await pods(NAMESPACE, await kycSelector())).find(ready);
      if (!victim?.metadata?.name) throw new Error(`no Ready kyc pod of ${NAMESPACE}/${PLATFORM}`);
      await killPod(NAMESPACE, victim.metadata.name);
      return victim.metadata.name;
    },
    holdMs: 0,
    end: async (old) => {
      const since = Date.now();
      const pod = await eventually(
        'a replacement kyc pod Ready',
        async () => (await pods(NAMESPACE, await kycSelector())).find((p) => ready(p) && p.metadata?.name !== old),
        180_000,
        500,
      );
      return `kyc pod ${old} replaced by ${pod.metadata?.name ?? ''}, Ready ${((Date.now() - since) / 1000).toFixed(1)} s after the kill`;
    },
    restore: () => Promise.resolve(), // the ReplicaSet replaces the pod itself
    expectSaid: (said) =>
      said.some((l) => /^component kyc ready|^Ready=False/.test(l)) ? [] : ['status never showed the kyc component short of a ready pod'],
  },
  {
    key: 'apiserver',
    title: 'kube-apiserver killed 20 s',
    inject: async () => {
      await killApiServer();
      return '';
    },
    holdMs: 20_000,
    end: async () => {
      await startApiServer();
      return undefined;
    },
    restore: startApiServer,
    // Nothing can write status or Events while the API server is down; afterwards the platform was
    // never in danger, so nothing is owed.
    expectSaid: () => [],
  },
];

const selected = (process.env.CHAOS_FAULTS || 'all').split(',').map((s) => s.trim());
const faults = FAULTS.filter((f) => selected.includes('all') || selected.includes(f.key));

const report: ChaosReport = { date: new Date().toISOString().slice(0, 10), machine: machineLine(), faults: [] };

function writeFigures(): void {
  mkdirSync(dirname(FIGURES), { recursive: true });
  writeFileSync(FIGURES, `${JSON.stringify({ ...report, table: markdownTable(report) }, null, 2)}\n`);
}

/** Lines for the problems of one kind, with a few examples. */
function problemsOf(what: string, items: readonly string[]): string[] {
  return items.length === 0 ? [] : [`${items.length} ${what}, e.g. ${items.slice(0, 3).join('; ')}`];
}

describe('chaos on the real node: the platform under a steady load while one part at a time fails', () => {
  let base = '';
  const api = (path: string): string => `${base}/api/v1${path}`;

  beforeAll(async () => {
    const platform = await getPlatform();
    await waitReady(platform.spec.version);
    base = await gatewayUrl();
    await eventually('the gateway answering /ready', async () => (await request(`${base}/ready`)).status === 200, 120_000, 1000);
  }, 720_000);

  afterAll(async () => {
    // The safety net: whatever happened above, every dependency and the API server run again.
    for (const fault of faults) await fault.restore().catch((error: unknown) => console.error(`could not undo ${fault.title}:`, error));
  }, 600_000);

  for (const fault of faults) {
    it(`${fault.title}: nothing accepted is lost, events are delivered once, failures are 503 + Retry-After, the platform recovers by itself`, async () => {
      const tokens = await customerTokens(
        api,
        Array.from({ length: CUSTOMERS }, (_, i) => `chaos-${fault.key}-${i}`),
      );
      const load = new Load(tokens, gatewaySend(base), { pauseMs: PAUSE_MS });
      const watcher = watchStatus();
      load.start();
      // A failure on the way must not leave the load or the watcher running into the next fault.
      const abandon = async (error: unknown): Promise<never> => {
        await load.stop(0);
        await watcher.stop();
        throw error;
      };
      await sleep(STEADY_MS);

      const injectedAt = Date.now();
      const said: string[] = [];
      let endedAt = injectedAt;
      try {
        const injected = await fault.inject();
        await sleep(fault.holdMs);
        const seen = await fault.end(injected);
        if (seen) said.push(seen);
      } catch (error) {
        await abandon(error);
      } finally {
        endedAt = Date.now();
        await fault.restore();
      }

      // Recovered: writes succeed again and the platform has been Normal (with the part hit whole) for
      // STABLE_MS on end — status may notice a fault only after it ended, so one Normal reading is not enough.
      let recoveredAt: number | undefined;
      let normalSince: number | undefined;
      while (Date.now() < endedAt + RECOVERY_BOUND_MS) {
        const writesBack = firstWriteOkAfter(load.samples, endedAt) !== undefined;
        const now = Date.now();
        const normal = (await platformNormal().catch(() => false)) && (await (fault.whole?.() ?? Promise.resolve(true)).catch(() => false));
        normalSince = normal ? (normalSince ?? now) : undefined;
        if (writesBack && normalSince !== undefined && Date.now() - normalSince >= STABLE_MS) {
          recoveredAt = Math.max(normalSince, firstWriteOkAfter(load.samples, endedAt) ?? normalSince);
          break;
        }
        await sleep(500);
      }
      await sleep(STEADY_MS);
      const result = await load.stop(60_000);
      said.push(...(await watcher.stop()), ...(await platformEvents(injectedAt).catch(() => [])));

      const pool = new pg.Pool({ connectionString: databaseUrl(), max: 2 });
      pool.on('error', () => undefined);
      const owners = tokens.map(tokenSubject);
      const check = (): Promise<Ledger> => ledger(pool, result.created, result.cancelled, owners, CHANNELS);
      let book: Ledger;
      try {
        book = await eventually(
          'every accepted write in the database and every accepted event delivered once',
          async () => {
            const now = await check();
            return now.lost.length === 0 && now.notDeliveredOnce.length === 0 ? now : undefined;
          },
          DELIVERY_BOUND_MS,
          2000,
        );
      } catch {
        book = await check();
      } finally {
        await pool.end();
      }

      const total = summarize(result.samples);
      const writesBack = firstWriteOkAfter(result.samples, endedAt);
      const problems = [
        ...Object.entries(total.violations).map(
          ([code, n]) => `${n} requests answered ${code} (not 503 + Retry-After, nor a retry's 409 in progress + Retry-After)`,
        ),
        ...(result.unresolved.creates + result.unresolved.cancels > 0
          ? [
              `${result.unresolved.creates} creates and ${result.unresolved.cancels} cancels without a definite answer a minute after the load stopped`,
            ]
          : []),
        ...(recoveredAt === undefined
          ? [`not Normal (Ready, no Degraded, writes succeeding) within ${RECOVERY_BOUND_MS / 1000} s of the fault's end`]
          : []),
        ...problemsOf('accepted writes not in the database', book.lost),
        ...problemsOf('accepted events not delivered exactly once', book.notDeliveredOnce),
        ...(book.unaccounted > result.unresolved.creates
          ? [`${book.unaccounted} applications in the database that no answer accepted`]
          : []),
        ...fault.expectSaid(said),
      ];
      const figures: FaultFigures = {
        fault: fault.title,
        faultSeconds: Math.round((endedAt - injectedAt) / 100) / 10,
        total,
        during: summarize(result.samples, injectedAt, endedAt),
        recoverySeconds: recoveredAt === undefined ? null : Math.round((recoveredAt - endedAt) / 100) / 10,
        writesBackSeconds: writesBack === undefined ? null : Math.round(Math.max(0, writesBack - endedAt) / 100) / 10,
        accepted: { applications: result.created.length, cancellations: result.cancelled.length },
        lost: book.lost.length,
        notDeliveredOnce: book.notDeliveredOnce.length,
        said,
        problems,
      };
      report.faults.push(figures);
      writeFigures();
      expect(result.created.length).toBeGreaterThan(0);
      expect(problems).toEqual([]);
    }, 900_000);
  }
});
