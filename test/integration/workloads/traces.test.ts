// Traces end to end against a real Jaeger (hack/deps/jaeger.sh): the gateway, kyc and notification run
// as real processes exporting over OTLP/HTTP; one customer request with its own traceparent makes one
// trace, read back from Jaeger's query API, that holds the gateway, kyc, a PostgreSQL statement, the
// outbox relay's Kafka publish and notification's consumption (docs/observability.md, "Traces").
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabase, eventServiceEnv, eventually, request, requireEnv, signToken, suffix, verifierEnv } from './support.js';
import type { TestDatabase } from './support.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '../../..');
const OTLP_ENDPOINT = process.env.OTLP_ENDPOINT ?? 'http://127.0.0.1:14318';
const JAEGER_QUERY_URL = process.env.JAEGER_QUERY_URL ?? 'http://127.0.0.1:16686';

interface RunningProcess {
  child: ChildProcess;
  port: number;
  output(): string;
}

/** Starts `component` from the TypeScript sources; resolves with its port once it logs "<component> listening". */
function startProcess(component: string, env: Record<string, string>): Promise<RunningProcess> {
  const child = spawn(process.execPath, ['--import', path.join(here, 'ts-register.ts'), path.join(REPO, 'workloads/main.ts'), component], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'debug',
      KYC_PLATFORM: 'traces-test',
      OTEL_EXPORTER_OTLP_ENDPOINT: OTLP_ENDPOINT,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output = `${output}${chunk.toString('utf8')}`.slice(-400_000);
      const line = output.split('\n').find((text) => text.includes(`"msg":"${component} listening"`));
      if (line) resolve({ child, port: (JSON.parse(line) as { port: number }).port, output: () => output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${component} exited with ${code}: ${output.slice(-3000)}`)));
  });
}

async function stopProcess(running: RunningProcess | undefined): Promise<void> {
  if (!running || running.child.exitCode !== null) return;
  const exited = once(running.child, 'exit');
  running.child.kill('SIGTERM');
  await exited;
}

interface JaegerSpan {
  spanID: string;
  operationName: string;
  processID: string;
  references: Array<{ refType: string; spanID: string }>;
  tags: Array<{ key: string; value: unknown }>;
}
interface JaegerTrace {
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

async function jaegerTrace(traceId: string): Promise<JaegerTrace | undefined> {
  const response = await fetch(`${JAEGER_QUERY_URL}/api/traces/${traceId}`);
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`Jaeger answered ${response.status}`);
  return ((await response.json()) as { data: JaegerTrace[] }).data[0];
}

describe('traces through the platform', () => {
  const prefix = `test-${suffix()}.`;
  let db: TestDatabase;
  let kyc: RunningProcess | undefined;
  let notification: RunningProcess | undefined;
  let gateway: RunningProcess | undefined;

  beforeAll(async () => {
    // Idempotent: a Jaeger `make deps` started already is used as it is.
    await promisify(execFile)(path.join(REPO, 'hack/deps.sh'), ['start', 'jaeger'], { cwd: REPO, timeout: 90_000 });
    db = await createTestDatabase();
    const services = eventServiceEnv(db, prefix);
    [kyc, notification] = await Promise.all([
      startProcess('kyc', { ...services, PII_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}` }),
      startProcess('notification', { ...services, NOTIFICATION_CHANNELS: 'email' }),
    ]);
    gateway = await startProcess('gateway', {
      ...verifierEnv(),
      REDIS_KEY_PREFIX: `test-${suffix()}:`,
      UPSTREAM_KYC: `http://127.0.0.1:${kyc.port}`,
      RATE_LIMIT_REQUESTS: '0',
      SHUTDOWN_GRACE_MS: '1000',
    });
  }, 100_000);

  afterAll(async () => {
    await Promise.all([stopProcess(gateway), stopProcess(kyc), stopProcess(notification)]);
    await db?.drop();
  }, 60_000);

  it("one customer request makes one trace: the client's trace id, gateway → kyc → PostgreSQL → Kafka → notification; kyc's log lines carry it", async () => {
    requireEnv('KAFKA_BROKERS');
    const traceId = randomBytes(16).toString('hex');
    const clientSpan = randomBytes(8).toString('hex');
    const token = await signToken({ sub: `c-${suffix()}`, role: 'customer' });
    const created = await request<{ id: string }>(`http://127.0.0.1:${gateway?.port}/api/v1/applications`, {
      token,
      // Not sampled by the client: the gateway samples by its own ratio (1 here), whatever the flag says.
      headers: { traceparent: `00-${traceId}-${clientSpan}-00`, tracestate: 'client=1' },
      body: { consent: { purposes: ['kyc_verification'], noticeVersion: 'privacy-2026.1' } },
    });
    expect(created.status).toBe(201);

    const topic = `${prefix}kyc.events`;
    // The services export every few seconds on their own (the batch processor's schedule).
    const found = await eventually(
      async () => {
        const t = await jaegerTrace(traceId);
        if (!t) return undefined;
        const service = (s: JaegerSpan): string => t.processes[s.processID]?.serviceName ?? '';
        const publish = t.spans.find((s) => service(s) === 'kyc' && s.operationName === `publish ${topic}`);
        const consume = t.spans.find((s) => service(s) === 'notification' && s.operationName === `process ${topic}`);
        return publish && consume ? { t, service, publish, consume } : undefined;
      },
      90_000,
      500,
    );
    const { t, service, publish, consume } = found;
    const tag = (s: JaegerSpan, key: string): unknown => s.tags.find((x) => x.key === key)?.value;
    const parentOf = (s: JaegerSpan): string | undefined => s.references.find((r) => r.refType === 'CHILD_OF')?.spanID;

    const gatewayServer = t.spans.find((s) => service(s) === 'gateway' && tag(s, 'span.kind') === 'server');
    expect(gatewayServer).toBeDefined();
    // The client's span is the gateway's parent: its trace is continued.
    expect(parentOf(gatewayServer as JaegerSpan)).toBe(clientSpan);
    const kycServer = t.spans.find((s) => service(s) === 'kyc' && tag(s, 'span.kind') === 'server' && s.operationName.startsWith('POST /'));
    expect(kycServer).toBeDefined();
    const upstreamCall = t.spans.find((s) => s.spanID === parentOf(kycServer as JaegerSpan));
    expect(upstreamCall && service(upstreamCall)).toBe('gateway');
    expect(tag(upstreamCall as JaegerSpan, 'span.kind')).toBe('client');
    const statements = t.spans.filter((s) => service(s) === 'kyc' && tag(s, 'db.system.name') === 'postgresql');
    expect(statements.some((s) => String(tag(s, 'db.query.text')).includes('outbox'))).toBe(true);
    expect(tag(publish, 'span.kind')).toBe('producer');
    expect(parentOf(consume)).toBe(publish.spanID);

    // The request's log lines in kyc name the trace.
    const kycLines = (kyc?.output() ?? '')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(kycLines.some((line) => line.msg === 'request' && line.trace_id === traceId)).toBe(true);
  }, 110_000);
});
