// `make bench-api`: API throughput with autocannon, in one run —
//   1. a bare express hello-world (the ceiling of this machine),
//   2. GET /api/v1/applications/{id} through the gateway (token check, rate limit, balancer, breaker, kyc + PostgreSQL),
//   3. the write path through the gateway: POST /applications, PATCH applicant data, two document uploads, submit;
// and two reference points for the read: the same read straight at kyc (the service without the
// gateway), and its floor (floor.ts: two bare node:http processes and the same SQL statement — what
// is left of any gateway → kyc → PostgreSQL read once everything the platform does is taken away);
// then the read and the write path again with TLS 1.3 on every hop (auth, kyc and the gateway started
// again with KYC_TLS_DIR on the same data: docs/workloads.md, "TLS between the components").
// The read, kyc alone and the floor run in rounds (BENCH_READ_ROUNDS, 3), the read's share of its floor
// taken round by round; every scenario runs BENCH_WARMUP seconds (3) unmeasured before its measured
// BENCH_DURATION (10). Every server runs in its own process (the load generator shares the CPU, as a
// client would on this machine). Results go to stdout and are appended to docs/benchmarks/history.md (section "API");
// docs/benchmarks.md keeps the current figures, copied there by hand when a run becomes the reference.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import type { Result } from 'autocannon';
import { issueCa, issueLeaf } from '../../../operator/src/api/x509.js';
import { freePort, median, need, scratchDatabase } from './processes.js';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../..');
const ENTRY = path.join(REPO, 'dist/workloads/main.js');
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
// Seconds each scenario runs unmeasured first, so that every process serves the measured part with its
// code compiled and its pools filled: the read through the gateway, the first scenario on kyc and the
// gateway, measured ~20 % slower cold than warm, and the floor's processes were measured cold too.
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
// Rounds of the read scenarios (below).
const READ_ROUNDS = Number(process.env.BENCH_READ_ROUNDS ?? 3);
const logDir = mkdtempSync(path.join(os.tmpdir(), 'kyc-bench-api-'));
const children: ChildProcess[] = [];

// BENCH_PROFILE_DIR=/some/dir writes a V8 CPU profile per service process there (node --cpu-prof).
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
// BENCH_ONLY=write (a comma list of bare, read, write, tls) runs only those scenarios: a quicker loop
// while working on one path; the bare server always runs, the report's ratios need it.
const ONLY = process.env.BENCH_ONLY?.split(',').map((kind) => kind.trim());
const wanted = (kind: 'read' | 'write' | 'tls'): boolean => ONLY === undefined || ONLY.includes(kind);

function start(name: string, args: string[], env: Record<string, string>): ChildProcess {
  const out = openSync(path.join(logDir, `${name}.log`), 'a');
  const profile = PROFILE_DIR !== undefined && args[0] === ENTRY ? ['--cpu-prof', '--cpu-prof-dir', path.join(PROFILE_DIR, name)] : [];
  const child = spawn(process.execPath, [...profile, ...args], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
  children.push(child);
  services.set(name, child);
  return child;
}

/** The status of GET `url`; over https trusting `ca` (the bench's own CA) alone. */
function statusOf(url: string, ca?: string): Promise<number> {
  if (ca === undefined) return fetch(url).then((res) => res.status);
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

async function ready(url: string, ca?: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await statusOf(url, ca)) === 200) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not become ready; logs in ${logDir}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function json<T>(url: string, init: { method?: string; body?: unknown; token?: string }): Promise<T> {
  const res = await fetch(url, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...(init.token && { authorization: `Bearer ${init.token}` }) },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });
  if (!res.ok) throw new Error(`${init.method ?? 'POST'} ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

const APPLICANT = {
  name: 'Kavya Raghunathan',
  dateOfBirth: '1990-05-17',
  pan: 'ABCPR1234F',
  aadhaar: '2341 2341 2346',
  address: { line1: '12 MG Road', city: 'Bengaluru', state: 'Karnataka', pincode: '560001' },
  passport: 'J8369854',
};
const CONSENT = { consent: { purposes: ['kyc_verification'], noticeVersion: 'privacy-2026.1' } };
const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n').toString('base64');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(64)]).toString('base64');

interface Row {
  name: string;
  result: Result;
  note?: string;
  /** CPU time (user + system) per request of each service process and of PostgreSQL's backends, in microseconds. */
  cpu: Record<string, number>;
  /** Read and write system calls per request of each service process (/proc/<pid>/io): round trips, whatever the load. */
  syscalls: Record<string, number>;
  /** Which round of the read scenarios (READ_ROUNDS > 1). */
  round?: number;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); 0 elsewhere. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Read and write system calls a process has made so far (/proc/<pid>/io, Linux); 0 elsewhere. */
function syscallCount(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    return Number(/syscr: (\d+)/.exec(io)?.[1] ?? 0) + Number(/syscw: (\d+)/.exec(io)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

const services = new Map<string, ChildProcess>();

/**
 * The processes measured, by name: each service, and `postgres` — PostgreSQL's backends serving the
 * run's own database (their process title names it; Linux, with PostgreSQL on this host).
 */
function measuredProcesses(databaseName: string): Map<string, number[]> {
  const processes = new Map([...services].map(([service, child]) => [service, child.pid === undefined ? [] : [child.pid]]));
  const backends: number[] = [];
  const entries = existsSync('/proc') ? readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)) : [];
  for (const entry of entries) {
    let title = '';
    try {
      title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    if (title.startsWith('postgres: ') && title.includes(` ${databaseName} `)) backends.push(Number(entry));
  }
  processes.set('postgres', backends);
  return processes;
}

/**
 * A certificate directory per component, laid out as the operator mounts it (KYC_TLS_DIR: tls.crt,
 * tls.key, ca.crt), from a CA of the run's own (the operator's X.509 writer). The processes here dial
 * each other by address, so 127.0.0.1 is the name every certificate carries.
 */
function certificateDirs(components: readonly string[]): { ca: string; dirs: Map<string, string> } {
  const validity = { notBefore: new Date(Date.now() - 3_600_000), notAfter: new Date(Date.now() + 24 * 3_600_000) };
  const ca = issueCa('bench-api-ca', validity);
  const dirs = new Map<string, string>();
  for (const component of components) {
    const leaf = issueLeaf(ca, { commonName: component, subjectAltNames: ['127.0.0.1'], usages: ['server', 'client'], ...validity });
    const dir = path.join(logDir, `tls-${component}`);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'tls.crt'), leaf.cert);
    writeFileSync(path.join(dir, 'tls.key'), leaf.key, { mode: 0o600 });
    writeFileSync(path.join(dir, 'ca.crt'), ca.cert);
    dirs.set(component, dir);
  }
  return { ca: ca.cert, dirs };
}

/** Stops a service process and waits until it is gone. */
async function stop(name: string): Promise<void> {
  const child = services.get(name);
  services.delete(name);
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

// Scenario names the report compares (the bare server is always the first row).
const READ_VIA_GATEWAY = 'GET /applications/{id} via gateway';
const READ_FLOOR = 'floor of the read: bare proxy → bare reader';
const READ_DIRECT = 'GET /applications/{id} direct to kyc';
const WRITE_VIA_GATEWAY = 'write path via gateway';
const TLS = ', TLS 1.3 on every hop';

async function main(): Promise<void> {
  const databaseUrl = need('DATABASE_URL');
  const database = await scratchDatabase(databaseUrl, 'kyc_bench');
  const databaseName = new URL(database.url).pathname.slice(1);
  const [barePort, authPort, kycPort, gatewayPort, readerPort, proxyPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  // Auth alone signs (an Ed25519 ring of one key); kyc and the gateway verify with its JWKS.
  const signingKeys = `bench:${generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64')}`;
  const jwksUrl = `http://127.0.0.1:${authPort}/.well-known/jwks.json`;
  const common = {
    DATABASE_URL: database.url,
    REDIS_URL: need('REDIS_URL'),
    KAFKA_BROKERS: need('KAFKA_BROKERS'),
    KAFKA_TOPIC_PREFIX: `bench-${randomBytes(3).toString('hex')}.`,
    REDIS_KEY_PREFIX: `bench-${randomBytes(3).toString('hex')}:`,
    PII_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    // Every process here shares one host: each metrics listener takes a free port.
    METRICS_PORT: '0',
  };
  const rows: Row[] = [];
  try {
    start(
      'bare',
      [
        '--input-type=module',
        '-e',
        `import express from 'express'; const app = express(); app.get('/', (_q, r) => { r.json({ hello: 'world' }); }); app.listen(${barePort}, '127.0.0.1');`,
      ],
      {},
    );
    start('auth', [ENTRY, 'auth'], { ...common, PORT: String(authPort), AUTH_SIGNING_KEYS: signingKeys });
    await ready(`http://127.0.0.1:${authPort}/ready`);
    // One customer writes on every connection at once: more open drafts than a real customer may hold.
    start('kyc', [ENTRY, 'kyc'], { ...common, PORT: String(kycPort), AUTH_JWKS_URL: jwksUrl, KYC_MAX_OPEN_DRAFTS: '100' });
    await ready(`http://127.0.0.1:${kycPort}/ready`);
    start('gateway', [ENTRY, 'gateway'], {
      ...common,
      PORT: String(gatewayPort),
      AUTH_JWKS_URL: jwksUrl,
      UPSTREAM_AUTH: `http://127.0.0.1:${authPort}`,
      UPSTREAM_KYC: `http://127.0.0.1:${kycPort}`,
      // The limiter stays in the path (one Redis round trip per request) but does not cap the run.
      RATE_LIMIT_REQUESTS: '1000000000',
    });
    await ready(`http://127.0.0.1:${gatewayPort}/ready`);
    await ready(`http://127.0.0.1:${barePort}/`);
    const floor = path.join(REPO, 'dist/workloads/gateway/bench/floor.js');
    start('floor-reader', [floor, 'reader', String(readerPort)], { DATABASE_URL: database.url });
    start('floor-proxy', [floor, 'proxy', String(proxyPort), String(readerPort)], {});

    const api = `http://127.0.0.1:${gatewayPort}/api/v1`;
    const credentials = { email: `bench-${randomBytes(3).toString('hex')}@example.com`, password: 'bench-password-123' };
    await json(`${api}/auth/register`, { body: credentials });
    const { accessToken } = await json<{ accessToken: string }>(`${api}/auth/login`, { body: credentials });
    const { id } = await json<{ id: string }>(`${api}/applications`, { body: CONSENT, token: accessToken });
    await json(`${api}/applications/${id}`, { method: 'PATCH', body: APPLICANT, token: accessToken });
    const auth = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
    await ready(`http://127.0.0.1:${proxyPort}/api/v1/applications/${id}`);

    // CPU per request of each service process: unlike req/s it barely depends on what else the
    // machine is doing, so it shows a change in the code's cost on a noisy machine.
    const run = async (name: string, options: Parameters<typeof autocannon>[0], note?: string, round?: number): Promise<void> => {
      if (WARMUP > 0) await autocannon({ connections: CONNECTIONS, duration: WARMUP, ...options });
      const pids = [...measuredProcesses(databaseName).values()].flat();
      const before = new Map(pids.map((pid) => [pid, { cpu: cpuSeconds(pid), calls: syscallCount(pid) }]));
      const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options });
      const total = Math.max(1, result.requests.total);
      const cpu: Record<string, number> = {};
      const syscalls: Record<string, number> = {};
      // A backend that started during the scenario counts whole; one that ended is lost (rare: the pools keep theirs).
      for (const [name, processPids] of measuredProcesses(databaseName)) {
        let used = 0;
        let calls = 0;
        for (const pid of processPids) {
          used += cpuSeconds(pid) - (before.get(pid)?.cpu ?? 0);
          calls += syscallCount(pid) - (before.get(pid)?.calls ?? 0);
        }
        if (used <= 0.05) continue;
        cpu[name] = Math.round((used * 1e6) / total);
        syscalls[name] = Math.round((calls / total) * 10) / 10;
      }
      rows.push({
        name,
        result,
        cpu,
        syscalls,
        ...(note !== undefined && { note }),
        ...(round !== undefined && { round }),
      });
      const cpuText = Object.entries(cpu)
        .map(([service, us]) => `${service} ${us} µs, ${syscalls[service] ?? '?'} syscalls`)
        .join(', ');
      process.stdout.write(
        `${name}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}, ${Math.round(result.throughput.total / total)} bytes/response; CPU/request: ${cpuText}\n`,
      );
    };

    await run('bare express hello-world', { url: `http://127.0.0.1:${barePort}/` });
    // The read, kyc alone and the floor in rounds, each round in the other order than the last: this
    // host's neighbours move every figure by tens of per cent from one minute to the next, and a ratio
    // of two scenarios measured side by side in the same round is what holds (floorLine).
    const readScenarios: Array<(round: number | undefined) => Promise<void>> = [
      (round) => run(READ_VIA_GATEWAY, { url: `${api}/applications/${id}`, headers: auth }, undefined, round),
      // The same read straight at the kyc process separates the gateway's cost from the service's.
      (round) =>
        run(
          READ_DIRECT,
          { url: `http://127.0.0.1:${kycPort}/api/v1/applications/${id}`, headers: auth },
          'no gateway: shows how much of the read path is the kyc service itself',
          round,
        ),
      (round) =>
        run(
          READ_FLOOR,
          { url: `http://127.0.0.1:${proxyPort}/api/v1/applications/${id}` },
          'floor.ts: node:http proxy → node:http server running the kyc read statement (no auth, limits, balancer, breaker, logs, metrics, decryption); the most any gateway → kyc → PostgreSQL read can do here',
          round,
        ),
    ];
    for (let round = 1; wanted('read') && round <= READ_ROUNDS; round += 1) {
      // A single round is reported as the scenarios were before there were rounds.
      const label = READ_ROUNDS > 1 ? round : undefined;
      for (const scenario of round % 2 === 1 ? readScenarios : [...readScenarios].reverse()) await scenario(label);
    }
    const writePath = (gateway: string): Parameters<typeof autocannon>[0] => ({
      url: gateway,
      requests: [
        {
          method: 'POST',
          path: '/api/v1/applications',
          headers: auth,
          body: JSON.stringify(CONSENT),
          onResponse: (_s, body, context) => void (context.id = (JSON.parse(body) as { id?: string }).id),
        },
        {
          method: 'PATCH',
          headers: auth,
          body: JSON.stringify(APPLICANT),
          setupRequest: (req, context) => ({ ...req, path: `/api/v1/applications/${String(context.id)}` }),
        },
        {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ type: 'passport', contentType: 'application/pdf', content: PDF }),
          setupRequest: (req, context) => ({ ...req, path: `/api/v1/applications/${String(context.id)}/documents` }),
        },
        {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ type: 'pan_card', contentType: 'image/png', content: PNG }),
          setupRequest: (req, context) => ({ ...req, path: `/api/v1/applications/${String(context.id)}/documents` }),
        },
        {
          method: 'POST',
          headers: auth,
          setupRequest: (req, context) => ({ ...req, path: `/api/v1/applications/${String(context.id)}/submit` }),
        },
      ],
    });
    if (wanted('write')) {
      await run(
        WRITE_VIA_GATEWAY,
        writePath(`http://127.0.0.1:${gatewayPort}`),
        'POST /applications → PATCH applicant → 2 × POST documents → POST submit, repeated; req/s counts every request',
      );
    }
    if (wanted('tls')) {
      // The same read and write path with TLS 1.3 on every hop: the three services started again with
      // their certificates (KYC_TLS_DIR) on the same data, so the token and the application stay valid.
      for (const name of ['gateway', 'kyc', 'auth']) await stop(name);
      const { ca, dirs } = certificateDirs(['auth', 'kyc', 'gateway']);
      const [tlsAuthPort, tlsKycPort, tlsGatewayPort] = await Promise.all([freePort(), freePort(), freePort()]);
      const tlsJwksUrl = `https://127.0.0.1:${tlsAuthPort}/.well-known/jwks.json`;
      start('auth', [ENTRY, 'auth'], {
        ...common,
        PORT: String(tlsAuthPort),
        AUTH_SIGNING_KEYS: signingKeys,
        KYC_TLS_DIR: dirs.get('auth') ?? '',
      });
      await ready(`https://127.0.0.1:${tlsAuthPort}/ready`, ca);
      start('kyc', [ENTRY, 'kyc'], {
        ...common,
        PORT: String(tlsKycPort),
        AUTH_JWKS_URL: tlsJwksUrl,
        KYC_MAX_OPEN_DRAFTS: '100',
        KYC_TLS_DIR: dirs.get('kyc') ?? '',
      });
      await ready(`https://127.0.0.1:${tlsKycPort}/ready`, ca);
      start('gateway', [ENTRY, 'gateway'], {
        ...common,
        PORT: String(tlsGatewayPort),
        AUTH_JWKS_URL: tlsJwksUrl,
        UPSTREAM_AUTH: `https://127.0.0.1:${tlsAuthPort}`,
        UPSTREAM_KYC: `https://127.0.0.1:${tlsKycPort}`,
        RATE_LIMIT_REQUESTS: '1000000000',
        KYC_TLS_DIR: dirs.get('gateway') ?? '',
      });
      await ready(`https://127.0.0.1:${tlsGatewayPort}/ready`, ca);
      const tlsGateway = `https://127.0.0.1:${tlsGatewayPort}`;
      await run(
        `${READ_VIA_GATEWAY}${TLS}`,
        { url: `${tlsGateway}/api/v1/applications/${id}`, headers: auth },
        'client → gateway and gateway → kyc over TLS 1.3 (KYC_TLS_DIR); connections are kept alive on both hops, so this is the cost of encryption per request, with few handshakes',
      );
      await run(`${WRITE_VIA_GATEWAY}${TLS}`, writePath(tlsGateway));
    }
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, PROFILE_DIR !== undefined ? 5000 : 1500));
    await database.drop().catch(() => undefined);
  }
  report(rows);
}

/** How far the read via the gateway is from its floor (in each round, and the median), and the floor from the bare server. */
function floorLine(rows: Row[]): string[] {
  const bare = rows[0]?.result.requests.average;
  const rounds = [...new Set(rows.map((row) => row.round ?? 0))];
  const ratios: number[] = [];
  const floors: number[] = [];
  for (const round of rounds) {
    const rate = (name: string): number | undefined =>
      rows.find((row) => row.name === name && (row.round ?? 0) === round)?.result.requests.average;
    const [read, floor] = [rate(READ_VIA_GATEWAY), rate(READ_FLOOR)];
    if (!read || !floor) continue;
    ratios.push(read / floor);
    floors.push(floor);
  }
  if (!bare || ratios.length === 0) return [];
  const percent = (ratio: number): string => `${Math.round(ratio * 100)} %`;
  const each = ratios.length > 1 ? ` (${ratios.map(percent).join(', ')} round by round; the median)` : '';
  return [
    `- The read via the gateway makes ${percent(median(ratios))} of its floor's throughput${each}; the floor makes ${percent(median(floors) / bare)} of the bare server's.`,
  ];
}

/** What TLS on every hop costs the read and the write path (throughput, and the CPU of the gateway and kyc per request). */
function tlsLines(rows: Row[]): string[] {
  const lines: string[] = [];
  for (const scenario of [READ_VIA_GATEWAY, WRITE_VIA_GATEWAY]) {
    const plain = rows.find((row) => row.name === scenario);
    const encrypted = rows.find((row) => row.name === `${scenario}${TLS}`);
    if (!plain || !encrypted) continue;
    const change = Math.round((encrypted.result.requests.average / plain.result.requests.average - 1) * 100);
    const cpu = ['gateway', 'kyc']
      .map((service) => `${service} ${plain.cpu[service] ?? '?'} → ${encrypted.cpu[service] ?? '?'} µs`)
      .join(', ');
    lines.push(`- TLS on every hop, ${scenario}: ${change >= 0 ? '+' : ''}${change} % throughput; CPU per request ${cpu}.`);
  }
  return lines;
}

function report(rows: Row[]): void {
  const bare = rows[0]?.result.requests.average ?? 0;
  const cpu = os.cpus();
  const lines = [
    '',
    `### API run of ${new Date().toISOString()}`,
    '',
    `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.platform()} ${os.release()}, Node ${process.version}; ` +
      `load average at the end ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' / ')}. ` +
      `autocannon: ${CONNECTIONS} connections, ${DURATION} s per scenario after ${WARMUP} s unmeasured; every server in its own process on loopback, sharing the CPUs with the load generator, PostgreSQL, Redis and Kafka.`,
    '',
    '| scenario | req/s | p50 ms | p99 ms | non-2xx | errors | vs bare | CPU µs/request by process | syscalls/request by process |',
    '|---|---:|---:|---:|---:|---:|---:|---|---|',
    ...rows.map(({ name, result, cpu: used, syscalls, round }) => {
      const ratio = bare > 0 ? `${Math.round((result.requests.average / bare) * 100)} %` : '-';
      const perProcess = (values: Record<string, number>): string =>
        Object.entries(values)
          .map(([service, value]) => `${service} ${value}`)
          .join(', ');
      return `| ${name}${round !== undefined ? ` (round ${round})` : ''} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} | ${result.non2xx} | ${result.errors} | ${ratio} | ${perProcess(used)} | ${perProcess(syscalls)} |`;
    }),
    '',
    ...rows.filter((row) => row.note && (row.round ?? 1) === 1).map((row) => `- ${row.name}: ${row.note}.`),
    ...floorLine(rows),
    ...tlsLines(rows),
    '',
  ];
  const text = lines.join('\n');
  process.stdout.write(text);
  if (process.env.BENCH_NO_RECORD === '1') return;
  const file = path.join(REPO, 'docs/benchmarks/history.md');
  if (!existsSync(file)) writeFileSync(file, '# Benchmarks: run history\n');
  const current = readFileSync(file, 'utf8');
  const api = current.indexOf('\n## API\n');
  if (api < 0) {
    appendFileSync(
      file,
      `\n## API\n\n\`make bench-api\` (workloads/gateway/bench/bench-api.ts) adds one section per run at the end of this section.\n${text}`,
    );
    return;
  }
  // At the end of the API section, not of the file: other sections follow it.
  const next = current.indexOf('\n## ', api + 1);
  const at = next < 0 ? current.length : next;
  writeFileSync(file, `${current.slice(0, at).replace(/\n+$/, '\n')}${text}${current.slice(at)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench-api failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n(service logs in ${logDir})\n`,
  );
  for (const child of children) child.kill('SIGTERM');
  process.exit(1);
});
