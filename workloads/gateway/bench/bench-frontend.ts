// `make bench-frontend`: the customer's first load of the web app, measured in a real browser (Debian's
// headless Chromium under playwright-core, as the browser suite drives it: docs/frontend.md) — not asserted.
// Against a local auth + gateway serving dist/web (fresh database, started here), or against
// BENCH_FRONTEND_URL (the real node's gateway, e.g. https://<node>:<port>/; BENCH_FRONTEND_IGNORE_CERT=1
// when its certificate is the platform's own CA's).
//
// Per run, a new browser context (an empty cache: a first visit) opens `/` and records:
//   - JS and CSS bytes as the gateway sent them (Resource Timing's encodedBodySize: gzipped on the wire)
//     and unpacked (decodedBodySize), and everything transferred (transferSize, headers included; a file
//     from the cache counts 0);
//   - first contentful paint;
//   - time to interactive, defined here as: from navigation start until the sign-in form is rendered
//     (its email input and an enabled "Sign in" button are in the page: React attaches its handlers
//     when it renders) AND the main thread has gone quiet — no Long Task (> 50 ms) for QUIET_MS after
//     the form appeared; TTI is the later of the form's time and the end of the last Long Task before
//     that quiet window. (Lighthouse's TTI waits for 5 s of quiet with at most two requests in flight;
//     a page whose only work after the form is a status call is measured closer by this.)
//   - the same page loaded again in the same context (a returning visitor: the hashed assets come
//     from the cache, the HTML, no-store, does not).
// Two network/CPU profiles: none (loopback, this machine's CPU) and "mobile" (Lighthouse's slow 4G:
// 150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up, and the CPU slowed 4×, through the DevTools protocol).
// The median of BENCH_FRONTEND_RUNS runs (default 7) is printed as a Markdown table; docs/benchmarks.md
// keeps the figures with their machine, date and load.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { freePort, median, need, scratchDatabase } from './processes.js';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../..');
const ENTRY = path.join(REPO, 'dist/workloads/main.js');
const RUNS = Number(process.env.BENCH_FRONTEND_RUNS ?? 7);
const QUIET_MS = 1000;
const WITHOUT_URL = 'run through hack/with-env.sh after make deps, or set BENCH_FRONTEND_URL';
const logDir = mkdtempSync(path.join(os.tmpdir(), 'kyc-bench-frontend-'));
const children: ChildProcess[] = [];

interface Profile {
  name: string;
  network?: { latency: number; downloadThroughput: number; uploadThroughput: number };
  cpuSlowdown?: number;
}

const PROFILES: Profile[] = [
  { name: 'none (loopback)' },
  // Lighthouse's mobile defaults ("slow 4G" and a mid-range phone's CPU); throughputs in bytes/s.
  {
    name: 'mobile: 150 ms RTT, 1.6 Mbit/s, CPU 4× slower',
    network: { latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 },
    cpuSlowdown: 4,
  },
];

/** What one load of the page measured (milliseconds from navigation start; bytes). */
interface Load {
  fcp: number;
  formReady: number;
  tti: number;
  longTasks: number;
  jsWire: number;
  jsBytes: number;
  cssWire: number;
  cssBytes: number;
  /** Everything the page fetched over the network, headers included (a cached file: 0). */
  transferred: number;
}

/**
 * Runs in the page before any of its scripts (the DevTools protocol adds it, so the page's CSP does not
 * apply): it watches for the sign-in form and collects Long Tasks from the start.
 */
const PROBE = `
  window.__bench = { longTasks: [], formReady: undefined };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.longTasks.push([e.startTime, e.startTime + e.duration]);
  }).observe({ type: 'longtask', buffered: true });
  const ready = () => {
    const email = document.querySelector('form input[type="email"]');
    const button = [...document.querySelectorAll('form button[type="submit"]')].find((b) => b.textContent.trim() === 'Sign in');
    return email && button && !button.disabled;
  };
  new MutationObserver((_, observer) => {
    if (window.__bench.formReady === undefined && ready()) {
      window.__bench.formReady = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true, attributes: true });
`;

/**
 * Runs in the page once the form is there: waits for the quiet window (no Long Task for `quietMs`; the
 * end of the last Long Task before it, or the form's time, is the TTI) and reads the paint and resource
 * timings. A string, as PROBE: the page's window is not this program's.
 */
const MEASURE = `async (quietMs) => {
  const bench = window.__bench;
  const lastEnd = () => bench.longTasks.reduce((end, [, taskEnd]) => Math.max(end, taskEnd), 0);
  for (;;) {
    const wait = Math.max(bench.formReady, lastEnd()) + quietMs - performance.now();
    if (wait <= 0) break;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  const resources = performance.getEntriesByType('resource');
  const sum = (ext, field) =>
    resources.filter((r) => new URL(r.name).pathname.endsWith(ext)).reduce((total, r) => total + r[field], 0);
  return {
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
    formReady: bench.formReady,
    tti: Math.max(bench.formReady, lastEnd()),
    longTasks: bench.longTasks.length,
    jsWire: sum('.js', 'encodedBodySize'),
    jsBytes: sum('.js', 'decodedBodySize'),
    cssWire: sum('.css', 'encodedBodySize'),
    cssBytes: sum('.css', 'decodedBodySize'),
    transferred: [...performance.getEntriesByType('navigation'), ...resources].reduce((total, r) => total + r.transferSize, 0),
  };
}`;

async function loadOnce(context: BrowserContext, url: string, profile: Profile): Promise<Load> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  if (profile.network) await cdp.send('Network.emulateNetworkConditions', { offline: false, ...profile.network });
  if (profile.cpuSlowdown) await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpuSlowdown });
  await page.addInitScript(PROBE);
  await page.goto(url, { waitUntil: 'load', timeout: 120_000 });
  await page.waitForFunction('window.__bench.formReady !== undefined', undefined, { timeout: 60_000 });
  const measured = await page.evaluate<Load>(`(${MEASURE})(${QUIET_MS})`);
  await page.close();
  return measured;
}

const ms = (value: number): string => `${Math.round(value)}`;
const kb = (bytes: number): string => (bytes / 1000).toFixed(1);

async function measure(browser: Browser, url: string): Promise<string[]> {
  const ignoreHTTPSErrors = process.env.BENCH_FRONTEND_IGNORE_CERT === '1';
  const rows: string[] = [];
  for (const profile of PROFILES) {
    const first: Load[] = [];
    const again: Load[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const context = await browser.newContext({ ignoreHTTPSErrors, viewport: { width: 360, height: 740 } });
      first.push(await loadOnce(context, url, profile));
      again.push(await loadOnce(context, url, profile));
      await context.close();
    }
    for (const [visit, loads] of [
      ['first visit', first],
      ['returning', again],
    ] as const) {
      const m = (field: keyof Load) => median(loads.map((l) => l[field]));
      const spread = `${ms(Math.min(...loads.map((l) => l.tti)))}–${ms(Math.max(...loads.map((l) => l.tti)))}`;
      rows.push(
        `| ${profile.name} | ${visit} | ${ms(m('fcp'))} | ${ms(m('formReady'))} | **${ms(m('tti'))}** (${spread}) | ${m('longTasks')} | ${kb(m('jsWire'))} / ${kb(m('jsBytes'))} | ${kb(m('cssWire'))} / ${kb(m('cssBytes'))} | ${kb(m('transferred'))} |`,
      );
    }
  }
  return rows;
}

function start(name: string, env: Record<string, string>): void {
  const out = openSync(path.join(logDir, `${name}.log`), 'a');
  children.push(spawn(process.execPath, [ENTRY, name], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', out, out] }));
}

async function ready(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(url).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${url} did not become ready; logs in ${logDir}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Auth, the frontend (serving dist/web) and the gateway on a fresh database: the page's sign-in and status calls answer as on a platform. */
async function startLocalGateway(): Promise<{ url: string; drop: () => Promise<void> }> {
  const databaseUrl = need('DATABASE_URL', WITHOUT_URL);
  const database = await scratchDatabase(databaseUrl, 'kyc_bench_web');
  const [authPort, frontendPort, gatewayPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const common = {
    DATABASE_URL: database.url,
    REDIS_URL: need('REDIS_URL', WITHOUT_URL),
    KAFKA_BROKERS: need('KAFKA_BROKERS', WITHOUT_URL),
    REDIS_KEY_PREFIX: `bench-web-${randomBytes(3).toString('hex')}:`,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    METRICS_PORT: '0',
  };
  const signingKeys = `bench:${generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64')}`;
  start('auth', { ...common, PORT: String(authPort), AUTH_SIGNING_KEYS: signingKeys });
  await ready(`http://127.0.0.1:${authPort}/ready`);
  // The web app's own server (dist/web), which the gateway forwards the app's paths to, as on a platform.
  start('frontend', { HOST: '127.0.0.1', LOG_LEVEL: 'warn', METRICS_PORT: '0', PORT: String(frontendPort) });
  await ready(`http://127.0.0.1:${frontendPort}/ready`);
  start('gateway', {
    ...common,
    PORT: String(gatewayPort),
    AUTH_JWKS_URL: `http://127.0.0.1:${authPort}/.well-known/jwks.json`,
    UPSTREAM_AUTH: `http://127.0.0.1:${authPort}`,
    UPSTREAM_FRONTEND: `http://127.0.0.1:${frontendPort}`,
  });
  await ready(`http://127.0.0.1:${gatewayPort}/ready`);
  const url = `http://127.0.0.1:${gatewayPort}/`;
  if (!(await fetch(url, { headers: { accept: 'text/html' } })).headers.get('content-type')?.startsWith('text/html'))
    throw new Error('the gateway serves no web app: run `make build` (vite build into dist/web) first');
  return {
    url,
    drop: async () => {
      for (const child of children) child.kill('SIGTERM');
      await Promise.all(
        children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))),
      );
      await database.drop();
    },
  };
}

async function main(): Promise<void> {
  const target = process.env.BENCH_FRONTEND_URL ? { url: process.env.BENCH_FRONTEND_URL, drop: async () => {} } : await startLocalGateway();
  const executablePath = execFileSync(path.join(REPO, 'hack/ensure-chromium.sh'), { encoding: 'utf8' }).trim();
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const version = browser.version();
    const rows = await measure(browser, target.url);
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.arch();
    const lines = [
      '',
      `### ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — ${process.env.BENCH_FRONTEND_URL ? target.url : 'local gateway (dist/web), not the real node'}`,
      '',
      `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Chromium ${version}, Node ${process.version}, load average ${load}; median of ${RUNS} runs (TTI: fastest–slowest); 360 × 740 viewport.`,
      '',
      '| network / CPU | visit | FCP ms | sign-in form ms | TTI ms | long tasks | JS kB gzip / unpacked | CSS kB gzip / unpacked | transferred kB |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await browser.close();
    await target.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench-frontend failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n(service logs in ${logDir})\n`,
  );
  for (const child of children) child.kill('SIGTERM');
  process.exit(1);
});
