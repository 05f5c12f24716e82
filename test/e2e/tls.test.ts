// TLS between the platform's components on the real node (docs/security.md, "TLS between the components"),
// against the platform `make up` runs:
// - every listener of every component pod (the API port 8080 and the metrics port 9090, each pod, both
//   colours) speaks TLS 1.3 only: a client that offers at most TLS 1.2 gets a protocol_version alert, a
//   TLS 1.3 client that trusts only the platform CA and checks the component's Service name gets through,
//   and a plain HTTP request gets no answer;
// - the certificates in the Secrets are what the operator promises: ECDSA P-256 leaves issued by the
//   platform CA, for serverAuth and clientAuth, naming every Service that selects the component in its four
//   forms (the gateway also its public names), valid for spec.tls.certificateValidity (720h by default);
//   and each pod serves the certificate of its Secret;
// - rotation on demand (the annotation kyc.dev/rotate-certificates) under strict clients (a new connection
//   per request, no retry, through the gateway to auth and kyc): every pod ends up serving a new leaf, the
//   CA stays, no request fails and no pod restarts.
// The pods are reached at their addresses from this host: the suites run as root, whose connections the
// node's NetworkPolicy rules let through (docs/real-node.md, "NetworkPolicies"), as they do the kubelet's
// probes. A platform run with spec.tls.mode Disabled (development only) skips the suite and says so; any
// other platform without its certificates fails it (support.ts, platformCa).
import { X509Certificate, createPrivateKey, randomUUID } from 'node:crypto';
import http from 'node:http';
import tls from 'node:tls';
import { describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import {
  CONSENT,
  NAMESPACE,
  PLATFORM,
  certificatesOf,
  core,
  custom,
  customerOfReadyPlatform,
  customerToken,
  eventually,
  getPlatform,
  platformCa,
  podReady,
  podChangesSince,
  podSnapshot,
  request,
  startStrictTraffic,
  uniqueSuffix,
  type StrictSample,
} from './support.js';

const COMPONENTS = ['gateway', 'kyc', 'auth', 'notification', 'analytics', 'frontend'] as const;
type Component = (typeof COMPONENTS)[number];
/** Every component listens on its API port and its metrics port. */
const PORTS = [8080, 9090] as const;
const ROTATE_ANNOTATION = 'kyc.dev/rotate-certificates';
const DEFAULT_VALIDITY = '720h';
const HOUR_MS = 3_600_000;
const EKU_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

const ca = await platformCa();
if (!ca) console.log(`tls.test.ts skipped: ${NAMESPACE}/${PLATFORM} serves plain HTTP (spec.tls.mode Disabled)`);

interface Listener {
  component: Component;
  pod: string;
  ip: string;
  port: number;
}

/** Each port of each ready pod of every component (both colours under blue-green). */
async function listeners(): Promise<Listener[]> {
  const pods = await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: `app.kubernetes.io/instance=${PLATFORM}` });
  return pods.items.flatMap((pod) => {
    const component = pod.metadata?.labels?.['app.kubernetes.io/component'] as Component;
    const ip = pod.status?.podIP;
    if (!COMPONENTS.includes(component) || !ip || !podReady(pod) || pod.metadata?.deletionTimestamp) return [];
    return PORTS.map((port) => ({ component, pod: pod.metadata?.name ?? '?', ip, port }));
  });
}

const where = (l: Listener): string => `${l.component} ${l.pod} ${l.ip}:${l.port}`;

/** One TLS handshake with a listener: the protocol agreed and the certificate served, or the handshake's error. */
function handshake(l: Listener, options: tls.ConnectionOptions): Promise<{ protocol: string; certificate: X509Certificate }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: l.ip, port: l.port, ...options }, () => {
      resolve({ protocol: socket.getProtocol() ?? '', certificate: new X509Certificate(socket.getPeerCertificate().raw) });
      socket.end();
    });
    socket.setTimeout(5000, () => socket.destroy(Object.assign(new Error(`no handshake with ${where(l)} in 5 s`), { code: 'timeout' })));
    socket.on('error', reject);
  });
}

/** As a peer calls the component: TLS 1.3, only the platform CA trusted, the certificate checked against its Service name. */
const verified = (l: Listener): ReturnType<typeof handshake> =>
  handshake(l, { ca, servername: `${PLATFORM}-${l.component}`, minVersion: 'TLSv1.3' });

/** A plain HTTP request to a listener: the status if anything answered in HTTP, else the connection's error code. */
function plainHttp(l: Listener): Promise<{ status?: number; code?: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: l.ip, port: l.port, path: '/', agent: false, timeout: 5000 }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    req.on('error', (error: Error & { code?: string }) => resolve({ code: error.code ?? error.message }));
  });
}

async function leafSecret(component: Component): Promise<k8s.V1Secret> {
  return core.readNamespacedSecret({ namespace: NAMESPACE, name: `${PLATFORM}-${component}-tls` });
}

function field(secret: k8s.V1Secret, key: string): string {
  const value = secret.data?.[key];
  if (!value) throw new Error(`Secret ${secret.metadata?.name ?? '?'} has no ${key}`);
  return Buffer.from(value, 'base64').toString('utf8');
}

/** The serial of each component's leaf, as its Secret holds it now. */
async function secretSerials(): Promise<Record<Component, string>> {
  const entries = await Promise.all(
    COMPONENTS.map(async (c) => [c, new X509Certificate(field(await leafSecret(c), 'tls.crt')).serialNumber] as const),
  );
  return Object.fromEntries(entries) as Record<Component, string>;
}

/** The listeners that do not yet serve their component's leaf of `serials` (with what they serve instead). */
async function servingOther(serials: Record<Component, string>): Promise<string[]> {
  const stale: string[] = [];
  for (const l of await listeners()) {
    const served = await verified(l).then(
      (h) => h.certificate.serialNumber,
      (error: Error) => error.message,
    );
    if (served !== serials[l.component]) stale.push(`${where(l)}: ${served}`);
  }
  return stale;
}

/** The serial numbers of the certificates of a PEM bundle. */
const serialsOf = (bundle: string): string[] => certificatesOf(bundle).map((pem) => new X509Certificate(pem).serialNumber);

/** '720h', '90m', '1h30m' in milliseconds. */
function durationMs(text: string): number {
  const units: Record<string, number> = { h: HOUR_MS, m: 60_000, s: 1000 };
  const parts = [...text.matchAll(/(\d+)([hms])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new Error(`not a duration: ${text}`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] ?? 's'] ?? 0), 0);
}

/** The names of a certificate's subjectAltName (DNS names and IP addresses alike). */
function altNames(certificate: X509Certificate): string[] {
  return (certificate.subjectAltName ?? '')
    .split(', ')
    .map((entry) => entry.replace(/^(DNS|IP Address):/, ''))
    .filter(Boolean);
}

/** Every DNS name of every Service of the platform that selects `component`, each in its four forms. */
async function serviceNames(component: Component): Promise<string[]> {
  const services = await core.listNamespacedService({ namespace: NAMESPACE, labelSelector: `app.kubernetes.io/instance=${PLATFORM}` });
  return services.items
    .filter((s) => s.spec?.selector?.['app.kubernetes.io/component'] === component)
    .flatMap((s) => {
      const name = s.metadata?.name ?? '';
      return [name, `${name}.${NAMESPACE}`, `${name}.${NAMESPACE}.svc`, `${name}.${NAMESPACE}.svc.cluster.local`];
    });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

(ca ? describe : describe.skip)('TLS 1.3 on every hop of the running platform', () => {
  const customer = customerOfReadyPlatform('tls');

  it('every listener of every component answers TLS 1.3 only: a TLS 1.2 client is refused, a verified TLS 1.3 client gets through, plain HTTP gets no answer', async () => {
    const all = await listeners();
    // Every component with at least one ready pod, each on both ports.
    expect([...new Set(all.map((l) => l.component))].sort()).toEqual([...COMPONENTS].sort());
    const outcomes: string[] = [];
    for (const l of all) {
      const ok = await verified(l).then(
        (h) => h.protocol,
        (error: Error & { code?: string }) => `failed: ${error.code ?? error.message}`,
      );
      const old = await handshake(l, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', rejectUnauthorized: false }).then(
        (h) => `connected with ${h.protocol}`,
        (error: Error & { code?: string }) => error.code ?? error.message,
      );
      const plain = await plainHttp(l);
      outcomes.push(`${where(l)}: verified ${ok}; TLS 1.2 ${old}; plain HTTP ${plain.status ?? plain.code ?? '?'}`);
      expect({ listener: where(l), ok }).toEqual({ listener: where(l), ok: 'TLSv1.3' });
      // The server's protocol_version alert, not a connection that never happened.
      expect({ listener: where(l), old }).toEqual({
        listener: where(l),
        old: expect.stringMatching(/PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL/),
      });
      // The TLS server drops what is not a ClientHello: no HTTP answer, and not because nothing listens.
      expect({ listener: where(l), status: plain.status }).toEqual({ listener: where(l), status: undefined });
      expect(['ECONNREFUSED', 'timeout', 'EHOSTUNREACH']).not.toContain(plain.code);
    }
    console.log(`TLS on ${all.length} listeners:\n${outcomes.join('\n')}`);
  }, 120_000);

  it('the certificates: leaves of the platform CA (ECDSA P-256), for server and client, naming every Service of their component, valid as configured; each pod serves its own', async () => {
    const platform = await getPlatform();
    const validityMs = durationMs(platform.spec.tls?.certificateValidity ?? DEFAULT_VALIDITY);
    const caSecret = await core.readNamespacedSecret({ namespace: NAMESPACE, name: `${PLATFORM}-tls-ca` });
    const caCertificate = new X509Certificate(field(caSecret, 'tls.crt'));
    expect(caCertificate.ca).toBe(true);
    expect(caCertificate.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    // About a year, renewed at 2/3 of it: never closer than a third of its life to the end.
    const caLifeMs = Date.parse(caCertificate.validTo) - Date.parse(caCertificate.validFrom);
    expect(caLifeMs / (24 * HOUR_MS)).toBeGreaterThanOrEqual(364);
    expect(caLifeMs / (24 * HOUR_MS)).toBeLessThanOrEqual(367);
    expect(Date.parse(caCertificate.validTo) - Date.now()).toBeGreaterThan(caLifeMs / 3 - HOUR_MS);
    const bundle = field(caSecret, 'ca.crt');
    expect(serialsOf(bundle)).toContain(caCertificate.serialNumber);

    const ingressHost = (platform.spec as { ingress?: { host?: string } }).ingress?.host;
    for (const component of COMPONENTS) {
      const secret = await leafSecret(component);
      expect(secret.type).toBe('kubernetes.io/tls');
      expect(serialsOf(field(secret, 'ca.crt'))).toEqual(serialsOf(bundle));
      const leaf = new X509Certificate(field(secret, 'tls.crt'));
      expect(leaf.checkIssued(caCertificate) && leaf.verify(caCertificate.publicKey)).toBe(true);
      expect(leaf.ca).toBe(false);
      expect(leaf.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
      expect([...(leaf.keyUsage ?? [])].sort()).toEqual([EKU_SERVER_AUTH, EKU_CLIENT_AUTH].sort());
      const wanted = [
        ...(await serviceNames(component)),
        ...(component === 'gateway' ? [...(platform.spec.tls?.publicNames ?? []), ...(ingressHost ? [ingressHost] : [])] : []),
      ];
      expect({ component, missing: wanted.filter((name) => !altNames(leaf).includes(name)) }).toEqual({ component, missing: [] });
      // The validity asked for (a few minutes of back-dating for clocks allowed), and not past 2/3 of it.
      const lifeMs = Date.parse(leaf.validTo) - Date.parse(leaf.validFrom);
      expect(lifeMs).toBeGreaterThanOrEqual(validityMs - 60_000);
      expect(lifeMs).toBeLessThanOrEqual(validityMs + HOUR_MS);
      expect(Date.parse(leaf.validTo) - Date.now()).toBeGreaterThan(lifeMs / 3 - HOUR_MS);
      // The private key in the Secret is the certificate's.
      expect(leaf.checkPrivateKey(createPrivateKey(field(secret, 'tls.key')))).toBe(true);
    }
    // Each pod serves the leaf its Secret holds (the kubelet may still be refreshing a volume: eventually).
    const serials = await secretSerials();
    await eventually(
      'every listener serving its Secret’s leaf',
      async () => ((await servingOther(serials)).length === 0 ? true : undefined),
      180_000,
      2000,
    );
  }, 240_000);

  it('a rotation on demand under strict clients: every pod serves a new leaf of the same CA, no request fails, no pod restarts', async () => {
    const api = customer.api;
    // Two strict clients (a new connection per request, no retry), through the gateway to auth and to kyc.
    const kycToken = await customerToken(api, 'tls-kyc');
    const created = await request<{ id: string }>(api('/applications'), { body: CONSENT, token: kycToken, idempotent: true });
    expect(created.status).toBe(201);
    const caBefore = new X509Certificate(
      field(await core.readNamespacedSecret({ namespace: NAMESPACE, name: `${PLATFORM}-tls-ca` }), 'tls.crt'),
    );
    const before = await secretSerials();
    const podsBefore = await podSnapshot();
    const strict = [
      startStrictTraffic(api('/auth/me'), customer.token, 120),
      startStrictTraffic(api(`/applications/${created.body.id}`), kycToken, 120),
    ];
    let samples: StrictSample[] = [];
    let issuedMs = 0;
    let servedMs = 0;
    try {
      await new Promise((resolve) => setTimeout(resolve, 3000));

      const value = `e2e-${uniqueSuffix()}-${randomUUID().slice(0, 8)}`;
      const asked = Date.now();
      await custom.patchNamespacedCustomObject(
        {
          group: 'kyc.dev',
          version: 'v1alpha1',
          namespace: NAMESPACE,
          plural: 'kycplatforms',
          name: PLATFORM,
          body: { metadata: { annotations: { [ROTATE_ANNOTATION]: value } } },
        },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      const after = await eventually(
        'every leaf Secret re-issued',
        async () => {
          const now = await secretSerials();
          return COMPONENTS.every((c) => now[c] !== before[c]) ? now : undefined;
        },
        // Within five minutes of a platform's first certificates (its CA bundle still reaching the pods) a
        // rotation waits for that window (docs/security.md, "Rotation on demand"): right after make up, the
        // suite may be there.
        400_000,
        1000,
      );
      issuedMs = Date.now() - asked;
      // The kubelet refreshes a Secret volume within its sync period (about a minute) and the services read
      // the files again every 5 s.
      let stale: string[] = [];
      await eventually(
        'every listener serving the new leaf',
        async () => {
          stale = await servingOther(after);
          return stale.length === 0 ? true : undefined;
        },
        300_000,
        2000,
      ).catch((error: unknown) => {
        throw new Error(`still serving the old leaf: ${stale.join('; ')}`, { cause: error });
      });
      servedMs = Date.now() - asked;
      // A little more traffic on the new certificates before the count.
      await new Promise((resolve) => setTimeout(resolve, 5000));
    } finally {
      // Stopped whatever happens: traffic left running would keep the gateway busy for the next suites
      // (the autoscaling suite waits for an idle gateway).
      samples = (await Promise.all(strict.map((s) => s.stop()))).flat();
    }

    const caAfter = new X509Certificate(
      field(await core.readNamespacedSecret({ namespace: NAMESPACE, name: `${PLATFORM}-tls-ca` }), 'tls.crt'),
    );
    const failed = samples.filter((s) => !s.ok).map((s) => `${new Date(s.at).toISOString()} ${s.detail}`);
    const ms = samples.map((s) => s.ms);
    console.log(
      `rotation: leaves re-issued ${(issuedMs / 1000).toFixed(1)} s after the annotation, served by every pod after ${(servedMs / 1000).toFixed(1)} s; ` +
        `${samples.length} strict requests, ${failed.length} failed, p50 ${percentile(ms, 50).toFixed(0)} ms, p99 ${percentile(ms, 99).toFixed(0)} ms`,
    );
    expect(failed).toEqual([]);
    expect(samples.length).toBeGreaterThan(100);
    expect(caAfter.serialNumber).toBe(caBefore.serialNumber);
    expect(await podChangesSince(podsBefore)).toEqual([]);
  }, 900_000);
});
