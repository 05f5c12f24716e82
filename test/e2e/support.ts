// What the e2e suites share: where the platform is (any kubeconfig; the namespace and name from the
// environment, defaults matching `make up`), the gateway's URL, HTTP helpers and staff accounts made
// through the admin API with the admin credentials of the platform's Secret.
//
//   E2E_NAMESPACE    namespace of the KycPlatform (default kyc)
//   E2E_PLATFORM     its name (default kyc-dev)
//   E2E_GATEWAY_URL  base URL of the gateway from where the tests run (default: the NodePort Service
//                    labelled kyc.dev/exposes=gateway in the namespace, on the InternalIP of a node
//                    that runs a gateway pod — what `make up` creates; https when the platform serves
//                    TLS, see platformCa)
//   E2E_ROLL_VERSION the version to roll to in rollout.test.ts (default <current>-e2e; the image with
//                    that tag must be on the nodes: `make e2e` tags and loads it)
import { X509Certificate, createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import tls from 'node:tls';
import * as k8s from '@kubernetes/client-node';
import { beforeAll } from '@jest/globals';
import { COMPONENTS } from '../../operator/src/api/components.js';
import { LIVE_SETTINGS_KEY } from '../../operator/src/render/configmap.js';
import { eventually, uniqueSuffix } from '../support/env.js';
import type { Schemas } from '../support/api/client.js';

export { eventually, uniqueSuffix };

export const NAMESPACE = process.env.E2E_NAMESPACE || 'kyc';
export const PLATFORM = process.env.E2E_PLATFORM || 'kyc-dev';

export const kc = new k8s.KubeConfig();
kc.loadFromDefault();
export const core = kc.makeApiClient(k8s.CoreV1Api);
export const apps = kc.makeApiClient(k8s.AppsV1Api);
export const custom = kc.makeApiClient(k8s.CustomObjectsApi);

export interface Platform {
  metadata: { name: string; generation?: number; annotations?: Record<string, string> };
  spec: {
    version: string;
    secretsRef?: { name: string };
    tls?: { mode?: string; publicNames?: string[]; certificateValidity?: string };
    components?: Record<string, { enabled?: boolean } | undefined>;
  };
  status?: {
    phase?: string;
    readyComponents?: string;
    components?: Record<string, { desired?: number; ready?: number; available?: number } | undefined>;
    activeVersion?: string;
    observedGeneration?: number;
    release?: { phase?: string; [field: string]: unknown };
  };
}

export async function getPlatform(): Promise<Platform> {
  return (await custom.getNamespacedCustomObject({
    group: 'kyc.dev',
    version: 'v1alpha1',
    namespace: NAMESPACE,
    plural: 'kycplatforms',
    name: PLATFORM,
  })) as Platform;
}

/** Merges `spec` into the platform's spec (a JSON merge patch: a null value removes the field). */
export async function patchPlatformSpec(spec: Record<string, unknown>): Promise<void> {
  await custom.patchNamespacedCustomObject(
    { group: 'kyc.dev', version: 'v1alpha1', namespace: NAMESPACE, plural: 'kycplatforms', name: PLATFORM, body: { spec } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
}

export async function patchPlatformVersion(version: string): Promise<void> {
  await patchPlatformSpec({ version });
}

/** One pod as a change-in-place check sees it: its name, its containers' restarts, and the pod template it runs. */
interface PodState {
  name: string;
  restarts: number;
  template: string;
}

/** Every live pod of the platform by uid (a change-in-place check compares two of these with podChangesSince). */
export async function podSnapshot(): Promise<Record<string, PodState>> {
  const pods = await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: `app.kubernetes.io/instance=${PLATFORM}` });
  return Object.fromEntries(
    pods.items
      .filter((p) => p.metadata?.deletionTimestamp === undefined)
      .map((p) => [
        p.metadata?.uid ?? '',
        {
          name: p.metadata?.name ?? '?',
          restarts: (p.status?.containerStatuses ?? []).reduce((sum, c) => sum + c.restartCount, 0),
          template: `${p.metadata?.labels?.['app.kubernetes.io/component'] ?? '?'}/${p.metadata?.labels?.['pod-template-hash'] ?? '?'}`,
        },
      ]),
  );
}

/**
 * What a change applied in place must not do to the pods since `before`: restart a container of a pod that is
 * still there, or roll out a new pod template. Pods that went away or joined on a template already running do
 * not count: a previous release's colour scaling down at the end of its rollback window, or an HPA, does that
 * while a suite runs.
 */
export async function podChangesSince(before: Record<string, PodState>): Promise<string[]> {
  const now = await podSnapshot();
  const templates = new Set(Object.values(before).map((pod) => pod.template));
  return Object.entries(now).flatMap(([uid, pod]) => {
    const earlier = before[uid];
    if (earlier && pod.restarts > earlier.restarts) return [`${pod.name} restarted ${pod.restarts - earlier.restarts} time(s)`];
    if (!earlier && !templates.has(pod.template)) return [`${pod.name} runs a new pod template (${pod.template})`];
    return [];
  });
}

/** The components the platform's spec runs (all six unless some are disabled). */
export function runningComponents(p: Platform): string[] {
  return COMPONENTS.filter((c) => p.spec.components?.[c]?.enabled !== false);
}

/** Waits until the platform is Ready with every component it runs and serves `version`. */
export async function waitReady(version: string, timeoutMs = 600_000): Promise<Platform> {
  return eventually(
    `platform ${NAMESPACE}/${PLATFORM} Ready with every component at ${version}`,
    async () => {
      const p = await getPlatform();
      const s = p.status;
      const running = runningComponents(p).length;
      return s?.phase === 'Ready' &&
        s.readyComponents === `${running}/${running}` &&
        s.activeVersion === version &&
        s.observedGeneration === p.metadata.generation
        ? p
        : undefined;
    },
    timeoutMs,
    1000,
  );
}

let trusted: Promise<string | undefined> | undefined;

/**
 * The platform's CA (`ca.crt` of the Secret `<platform>-gateway-tls`, the trust bundle the operator
 * keeps; docs/security.md, "TLS between the components"), read once; undefined when the platform serves
 * plain HTTP (spec.tls.mode Disabled), an error when it should not and the Secret is missing. On the first read it
 * is added to the process's default CAs, so every client of the suites — fetch, node:https, node:tls,
 * the typed client — verifies the gateway against it and checks the URL's host against the
 * certificate's names, as curl --cacert and a browser would.
 */
export function platformCa(): Promise<string | undefined> {
  trusted ??= (async () => {
    if ((await getPlatform()).spec.tls?.mode === 'Disabled') return undefined;
    // Any other mode (BuiltIn is the default) must have its certificates: a missing Secret is the
    // operator's failure, never a reason for the suites to fall back to plain HTTP and pass.
    const name = `${PLATFORM}-gateway-tls`;
    const secret = await core.readNamespacedSecret({ namespace: NAMESPACE, name });
    const bundle = secret.data?.['ca.crt'];
    if (!bundle) throw new Error(`${NAMESPACE}/${name} has no ca.crt, though spec.tls.mode is not Disabled`);
    const ca = Buffer.from(bundle, 'base64').toString('utf8');
    const defaults = tls.getCACertificates('default');
    const added = certificatesOf(ca).filter((pem) => !defaults.some((known) => known.trim() === pem));
    tls.setDefaultCACertificates([...defaults, ...added]);
    return ca;
  })();
  return trusted;
}

/** Each PEM certificate of a bundle (the CA bundle holds two while a CA renewal is under way). */
export function certificatesOf(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** `http` or `https`: what the platform's listeners speak (the gateway's NodePort, every pod's 8080 and 9090). */
export async function platformScheme(): Promise<'http' | 'https'> {
  return (await platformCa()) ? 'https' : 'http';
}

/** The API server's pod proxy path to `path` on a pod's port, in the scheme the pod serves (`pods/https:<name>:<port>`). */
export async function podProxyPath(pod: string, port: number, path: string): Promise<string> {
  const scheme = (await platformScheme()) === 'https' ? 'https:' : '';
  return `/api/v1/namespaces/${NAMESPACE}/pods/${scheme}${pod}:${port}/proxy${path}`;
}

/**
 * Chromium's arguments to trust the gateway: the SHA-256 pins of the public keys of the certificate it
 * serves (fetched over a connection verified against the platform CA) and of the CA. Chromium has no
 * flag to add a CA, and --ignore-certificate-errors-spki-list matches only keys in the chain the server
 * sends, which is the leaf alone: the CA's pin by itself is not enough (tried with Debian's chromium).
 * Playwright always passes --user-data-dir, which the flag requires. None while the platform serves HTTP.
 */
export async function browserTrustArgs(base: string): Promise<string[]> {
  const ca = await platformCa();
  const url = new URL(base);
  if (!ca || url.protocol !== 'https:') return [];
  const served = await new Promise<X509Certificate>((resolve, reject) => {
    const socket = tls.connect({ host: url.hostname, port: Number(url.port || 443), ...serverName(url.hostname) }, () => {
      resolve(new X509Certificate(socket.getPeerCertificate().raw));
      socket.end();
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no TLS handshake with ${url.host} in 10 s`)));
    socket.on('error', reject);
  });
  const pin = (cert: X509Certificate): string =>
    createHash('sha256')
      .update(cert.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64');
  // The leaf the gateway's Secret holds now as well as the one this connection met: while a renewal
  // reaches the pods (a kubelet sync, then a 5 s poll) the gateway pods may serve either.
  const secret = await core.readNamespacedSecret({ namespace: NAMESPACE, name: `${PLATFORM}-gateway-tls` });
  const current = new X509Certificate(Buffer.from(secret.data?.['tls.crt'] ?? '', 'base64'));
  const pins = [...new Set([served, current, ...certificatesOf(ca).map((pem) => new X509Certificate(pem))].map(pin))];
  return [`--ignore-certificate-errors-spki-list=${pins.join(',')}`];
}

/** SNI for a host: a name is sent, an address is not (TLS forbids it; the certificate is checked against the address). */
export function serverName(host: string): { servername?: string } {
  return isIP(host) === 0 ? { servername: host } : {};
}

export async function gatewayUrl(): Promise<string> {
  const scheme = await platformScheme();
  if (process.env.E2E_GATEWAY_URL) return process.env.E2E_GATEWAY_URL.replace(/\/$/, '');
  const services = await core.listNamespacedService({ namespace: NAMESPACE, labelSelector: 'kyc.dev/exposes=gateway' });
  const svc = services.items.find((s) => s.spec?.type === 'NodePort');
  const nodePort = svc?.spec?.ports?.[0]?.nodePort;
  if (!nodePort)
    throw new Error(`no NodePort Service labelled kyc.dev/exposes=gateway in ${NAMESPACE}: set E2E_GATEWAY_URL or run make up`);
  const pods = await core.listNamespacedPod({
    namespace: NAMESPACE,
    labelSelector: `app.kubernetes.io/instance=${PLATFORM},app.kubernetes.io/component=gateway`,
  });
  const nodeName = pods.items.find((p) => p.spec?.nodeName)?.spec?.nodeName;
  if (!nodeName) throw new Error(`no scheduled gateway pod of ${NAMESPACE}/${PLATFORM}`);
  const node = await core.readNode({ name: nodeName });
  const ip = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  if (!ip) throw new Error(`node ${nodeName} has no InternalIP`);
  return `${scheme}://${ip}:${nodePort}`;
}

export interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  token?: string;
  idempotent?: boolean;
  timeoutMs?: number;
}

/** One HTTP request; a JSON body is parsed, anything else is returned as text. */
export async function request<T = Record<string, unknown>>(url: string, options: RequestOptions = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.idempotent) headers['idempotency-key'] = randomUUID();
  const res = await fetch(url, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  });
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) body = JSON.parse(text);
  return { status: res.status, body: body as T, headers: res.headers };
}

export interface Account {
  email: string;
  password: string;
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  user: { id: string; role: string };
}

/** The first admin's credentials, from the Secret the platform names in spec.secretsRef. */
export async function adminAccount(): Promise<Account> {
  const platform = await getPlatform();
  const name = platform.spec.secretsRef?.name;
  if (!name) throw new Error(`${NAMESPACE}/${PLATFORM} has no spec.secretsRef`);
  const secret = await core.readNamespacedSecret({ namespace: NAMESPACE, name });
  const field = (key: string): string => {
    const value = secret.data?.[key];
    if (!value) throw new Error(`Secret ${NAMESPACE}/${name} has no ${key}`);
    return Buffer.from(value, 'base64').toString('utf8');
  };
  return { email: field('admin-email'), password: field('admin-password') };
}

export async function login(api: (path: string) => string, who: Account): Promise<Tokens> {
  const res = await request<Tokens>(api('/auth/login'), { body: who });
  if (res.status !== 200) throw new Error(`login of ${who.email} answered ${res.status}`);
  return res.body;
}

/** The live settings the operator wrote for the pods (the platform ConfigMap's document; {} without one). */
export async function liveSettings(): Promise<Record<string, unknown>> {
  const configMap = await core.readNamespacedConfigMap({ namespace: NAMESPACE, name: `${PLATFORM}-config` });
  return JSON.parse(configMap.data?.[LIVE_SETTINGS_KEY] ?? '{}') as Record<string, unknown>;
}

export const CONSENT: Schemas['CreateApplication'] = { consent: { purposes: ['kyc_verification'], noticeVersion: 'e2e-1' } };
export const APPLICANT = {
  name: 'Asha Verma',
  dateOfBirth: '1990-04-12',
  pan: 'ABCPV1234F',
  aadhaar: '234123412346',
  address: { line1: '12 MG Road', city: 'Pune', state: 'Maharashtra', pincode: '411001' },
};
const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n').toString('base64');
export const DOCUMENTS: Schemas['DocumentUpload'][] = [
  { type: 'passport', contentType: 'application/pdf', content: PDF },
  { type: 'pan_card', contentType: 'application/pdf', content: PDF },
];

export interface TrafficReport {
  sent: number;
  ok: number;
  retried: number;
  failed: { at: string; detail: string }[];
  versions: Map<string, number>;
  /** The versions answered, in order, each run of the same version once (old, new: one switch). */
  changes: string[];
}

/**
 * A client that keeps calling `url` (one request at a time, `pauseMs` apart, under the gateway's
 * per-user rate limit) until stopped. A request that fails (no answer, or a 5xx) is retried once,
 * as a real client would; only a failed retry counts as a failure.
 */
export function startTraffic(url: string, token: string, pauseMs = 150): { stop: () => Promise<TrafficReport> } {
  const report: TrafficReport = { sent: 0, ok: 0, retried: 0, failed: [], versions: new Map(), changes: [] };
  let running = true;
  const once = async (): Promise<{ ok: boolean; detail: string; version?: string }> => {
    try {
      const res = await request(url, { token, timeoutMs: 10_000 });
      const version = res.headers.get('x-kyc-version') ?? undefined;
      return { ok: res.status === 200, detail: `HTTP ${res.status}`, ...(version ? { version } : {}) };
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      return { ok: false, detail: e.cause?.code ?? e.message };
    }
  };
  const loop = (async () => {
    while (running) {
      report.sent++;
      let answer = await once();
      if (!answer.ok) {
        report.retried++;
        answer = await once();
      }
      if (answer.ok) {
        report.ok++;
        if (answer.version) report.versions.set(answer.version, (report.versions.get(answer.version) ?? 0) + 1);
        if (answer.version && report.changes.at(-1) !== answer.version) report.changes.push(answer.version);
      } else {
        report.failed.push({ at: new Date().toISOString(), detail: answer.detail });
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return report;
    },
  };
}

/**
 * A fresh customer with a token, for traffic. Sign-up runs a deliberately slow password hash on a
 * bounded pool, and auth answers 503 + Retry-After when the pool is full: like any client, wait as
 * told and try again (a few times).
 */
export async function customerToken(api: (path: string) => string, label: string): Promise<string> {
  const run = uniqueSuffix();
  const who = { email: `e2e-${label}-${run}@example.com`, password: `${label}-password-${run}` };
  for (let attempt = 1; ; attempt += 1) {
    const registered = await request(api('/auth/register'), { body: who });
    if (registered.status === 202) break;
    const retryAfter = Number(registered.headers.get('retry-after'));
    if (registered.status !== 503 || !(retryAfter > 0) || attempt === 4) throw new Error(`register answered ${registered.status}`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(retryAfter, 5) * 1000));
  }
  return (await login(api, who)).accessToken;
}

/** Customers one after another: sign-ups at once would only queue on auth's password-hash pool. */
/** A suite's customer of the platform, through the gateway; `token` exists once beforeAll has run. */
export interface GatewayCustomer {
  api: (path: string) => string;
  readonly token: string;
}

/** Registers a beforeAll that waits for the platform Ready at its version, finds the gateway and signs up a customer (`label`). */
export function customerOfReadyPlatform(label: string): GatewayCustomer {
  let base = '';
  let token = '';
  const api = (path: string): string => `${base}/api/v1${path}`;
  beforeAll(async () => {
    await waitReady((await getPlatform()).spec.version);
    base = await gatewayUrl();
    token = await customerToken(api, label);
  }, 720_000);
  return {
    api,
    get token() {
      return token;
    },
  };
}

export async function customerTokens(api: (path: string) => string, labels: string[]): Promise<string[]> {
  const tokens: string[] = [];
  for (const label of labels) tokens.push(await customerToken(api, label));
  return tokens;
}

/** True when the pod's Ready condition is True. */
export function podReady(pod: k8s.V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function gatewaySelector(): string {
  return `app.kubernetes.io/instance=${PLATFORM},app.kubernetes.io/component=gateway`;
}

/** The colour that serves under blue-green (status.release.activeColor), if the platform has colours. */
export async function activeColor(): Promise<string | undefined> {
  const platform = (await getPlatform()) as Platform & { status?: { release?: { activeColor?: string } } };
  return platform.status?.release?.activeColor;
}

/** The gateway Deployment that serves: `<platform>-gateway-<colour>` under blue-green, else `<platform>-gateway`. */
export async function gatewayDeploymentName(): Promise<string> {
  const color = await activeColor();
  return color ? `${PLATFORM}-gateway-${color}` : `${PLATFORM}-gateway`;
}

/** The pods of the gateway that serves (the active colour's, under blue-green). */
export async function activeGatewaySelector(): Promise<string> {
  const color = await activeColor();
  return color ? `${gatewaySelector()},kyc.dev/color=${color}` : gatewaySelector();
}

/** Waits until no blue-green release is under way (phase Idle at `version`), or the platform has none. */
export async function waitIdle(version: string, timeoutMs = 300_000): Promise<void> {
  await eventually(
    `platform ${NAMESPACE}/${PLATFORM} with no release under way`,
    async () => {
      const p = (await getPlatform()) as Platform & { status?: { release?: { phase?: string; activeVersion?: string } } };
      const release = p.status?.release;
      return !release?.phase || (release.phase === 'Idle' && release.activeVersion === version);
    },
    timeoutMs,
    1000,
  );
}

export interface StrictSample {
  /** When the answer (or the failure) came, ms since the epoch. */
  at: number;
  ms: number;
  ok: boolean;
  detail: string;
  version?: string;
}

/** One GET on a new TCP connection (no keep-alive): it takes the route the Service has right now. */
function getOnNewConnection(
  url: string,
  token: string,
  timeoutMs: number,
): Promise<{ status: number; version?: string; problem?: string }> {
  return new Promise((resolve, reject) => {
    const req = (url.startsWith('https:') ? https : http).get(
      url,
      { agent: false, headers: { authorization: `Bearer ${token}`, connection: 'close' }, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const version = res.headers['x-kyc-version'];
          // A failed answer says who refused and why (its problem body), so a failure in CI explains itself.
          const problem = res.statusCode === 200 ? undefined : Buffer.concat(chunks).toString('utf8').slice(0, 400);
          resolve({
            status: res.statusCode ?? 0,
            ...(typeof version === 'string' ? { version } : {}),
            ...(problem !== undefined ? { problem } : {}),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/**
 * A client that keeps calling `url` on a new connection per request, `pauseMs` apart (under the per-user
 * rate limit), with no retry: every failure counts. Each sample carries its latency and X-KYC-Version.
 */
export function startStrictTraffic(url: string, token: string, pauseMs = 120): { stop: () => Promise<StrictSample[]> } {
  const samples: StrictSample[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const start = performance.now();
      try {
        const { status, version, problem } = await getOnNewConnection(url, token, 10_000);
        const ms = performance.now() - start;
        samples.push({
          at: Date.now(),
          ms,
          ok: status === 200,
          detail:
            status === 200 ? `HTTP ${status}` : `HTTP ${status} after ${ms.toFixed(0)} ms (version ${version ?? '-'}): ${problem ?? ''}`,
          ...(version ? { version } : {}),
        });
      } catch (error) {
        const e = error as Error & { code?: string };
        samples.push({ at: Date.now(), ms: performance.now() - start, ok: false, detail: e.code ?? e.message });
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return samples;
    },
  };
}

/** The sequence of distinct consecutive values: [old, new] is one switch, [old, new, old] a flap. */
export function versionChanges(versions: readonly string[]): string[] {
  return versions.filter((v, i) => i === 0 || v !== versions[i - 1]);
}

export interface LoadReport {
  sent: number;
  ok: number;
  /** Answers other than 200 and failures to connect, by kind (`HTTP 429`, `ECONNRESET`, ...). */
  failed: Map<string, number>;
  /** The first few non-200 answers with their problem bodies. */
  problems: string[];
}

/**
 * An open-loop load generator: `ratePerSecond` GETs of `url` a second, each on a new connection (so
 * every request takes the Service's current route and new pods get their share at once), whatever
 * the answers take; the tokens take turns so that each client stays under the gateway's per-user
 * rate limit. At most `maxInFlight` requests are outstanding; a tick that finds them all busy is
 * skipped and counted as failed (`overloaded`), so a slow platform shows instead of slowing the load.
 */
export function startLoad(
  url: string,
  tokens: readonly string[],
  ratePerSecond: number,
  maxInFlight = 200,
): { stop: () => Promise<LoadReport> } {
  const report: LoadReport = { sent: 0, ok: 0, failed: new Map(), problems: [] };
  const fail = (kind: string): void => {
    report.failed.set(kind, (report.failed.get(kind) ?? 0) + 1);
  };
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  let due = 0;
  const tick = setInterval(() => {
    const target = Math.floor(((performance.now() - started) / 1000) * ratePerSecond);
    for (; due < target; due++) {
      if (inFlight.size >= maxInFlight) {
        fail('overloaded');
        continue;
      }
      const token = tokens[due % tokens.length] as string;
      report.sent++;
      const one: Promise<void> = getOnNewConnection(url, token, 10_000).then(
        ({ status, problem }) => {
          if (status === 200) return void report.ok++;
          fail(`HTTP ${status}`);
          // The first few refusals in words (their problem bodies): a failure in CI explains itself.
          if (report.problems.length < 5) report.problems.push(`${new Date().toISOString()} HTTP ${status}: ${problem ?? ''}`);
        },
        (error: Error & { code?: string }) => fail(error.code ?? error.message),
      );
      inFlight.add(one);
      void one.finally(() => inFlight.delete(one));
    }
  }, 20);
  return {
    stop: async () => {
      clearInterval(tick);
      await Promise.all(inFlight);
      return report;
    },
  };
}
