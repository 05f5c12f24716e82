// The platform's CA and certificates as Secrets (docs/security.md, "TLS between the components"): read the
// CA Secret and the leaf Secrets, let release/certificates.ts decide, write what changed. The Secrets are
// not watched (the operator may only get Secrets and write its own, by server-side apply), so the pass says when to look again:
// the next 2/3 point or the end of a CA renewal's overlap. A pass that found everything in order, or wrote
// it so, spares the passes of the next minute the Secrets' reads, and all platforms' checks together read at
// most recheckReadsPerSecond (docs/security.md, "How often the Secrets are read").
import { createHash } from 'node:crypto';
import { desiredComponentNames, certificateValidityMs, tlsEnabled } from '../api/defaults.js';
import { COMPONENTS, type ComponentName } from '../api/components.js';
import { Gauge, type Registry } from 'prom-client';
import { setCondition } from '../api/conditions.js';
import type { Condition, KycPlatform } from '../api/types.js';
import { readCertificate } from '../api/x509.js';
import { carryOut, planCertificates, ROTATE_ANNOTATION, type CertificatePlan, type ObservedSecret } from '../release/certificates.js';
import { componentObjectName } from '../render/meta.js';
import { caSecretName, certificateNames, tlsSecretMeta, tlsSecretName } from '../render/tls.js';
import type { PodTls } from '../scaling/sources/pod-scrape.js';
import { FIELD_MANAGER } from '../runtime/apply.js';
import type { KubeClient, KubeResource } from '../runtime/kube.js';
import { isOwnedBy, SECRET } from './resources.js';
import { IssuerCertificates } from './cert-manager.js';
import { issuerRefOf } from '../render/cert-manager.js';

export const CONDITION_CERTIFICATES_READY = 'CertificatesReady';
const COMPONENT_SERIES = ['ca', ...COMPONENTS];
const CA_VALIDITY_MS = 365 * 24 * 3_600_000;
/** A new bundle or new leaves reach every pod within this: the kubelet's Secret refresh (about a minute) and the services' 5 s poll. */
const DEFAULT_OVERLAP_MS = 5 * 60_000;

type SecretResource = KubeResource & { type?: string; data?: Record<string, string> };

export interface CertificateExpiry {
  /** `ca` or a component. */
  name: 'ca' | ComponentName;
  notAfter: Date;
  serialNumber: string;
}

export interface CertificatesOutcome {
  condition: Condition;
  expiries: CertificateExpiry[];
  /** Look again after this long (the next renewal or the end of an overlap). */
  requeueAfterMs: number;
  /** Secrets written this pass, for the Events. */
  written: string[];
  plan: CertificatePlan;
  /** spec.tls.issuerRef: the platform must not roll out yet (no cert-manager, or Secrets not issued yet). */
  hold?: { reason: string; message: string };
}

const decode = (value: string | undefined): string | undefined => (value ? Buffer.from(value, 'base64').toString('utf8') : undefined);
const encode = (value: string | undefined): string => Buffer.from(value ?? '').toString('base64');

function observed(secret: SecretResource | undefined): ObservedSecret | undefined {
  if (!secret) return undefined;
  return {
    cert: decode(secret.data?.['tls.crt']),
    key: decode(secret.data?.['tls.key']),
    bundle: decode(secret.data?.['ca.crt']),
    annotations: secret.metadata.annotations,
  };
}

export interface PlatformCertificatesOptions {
  /** How long a new bundle or new leaves are given to reach the pods (default 5 minutes). */
  overlapMs?: number;
  /** Where kyc_operator_certificate_expiry_timestamp_seconds is registered (the alert CertificateExpiry reads it). */
  registry?: Registry;
  /**
   * How long a pass that found every certificate in order and wrote nothing is taken as the answer for
   * the same platform's later passes, so long as their inputs match (default 60 s). A platform's objects
   * change many times while it rolls out, and each change is a pass: seven Secret reads each were most
   * of the operator's requests at 1,000 platforms (docs/benchmarks.md, "1,000 platforms").
   */
  recheckMs?: number;
  /**
   * Secret reads a second those checks may take over all platforms (default 20): past ~170 platforms a
   * platform's Secrets are read less often than every recheckMs (every ~6 minutes at 1,000), so a fleet
   * at rest does not keep the API server busy reading Secrets that only this operator writes.
   */
  recheckReadsPerSecond?: number;
  /** Told the trust bundle each time the CA Secret is read or written, so it need not read it again itself. */
  trust?: Pick<PlatformTrust, 'remember'>;
}

/** What a pass found in order (as read, or as it wrote it), kept without any key material: the public expiry facts only. */
interface InOrder {
  /** The inputs of the plan other than the Secrets and the clock (their digest): any change means reading again. */
  inputs: string;
  checkedAt: number;
  nextCheckAt: number;
  expiries: CertificateExpiry[];
}

export const CERTIFICATE_EXPIRY_METRIC = 'kyc_operator_certificate_expiry_timestamp_seconds';

export class PlatformCertificates {
  private readonly overlapMs: number;
  private readonly expiry: Gauge | undefined;
  private readonly issuer: IssuerCertificates;
  private readonly recheckMs: number;
  private readonly recheckReadsPerSecond: number;
  private readonly inOrder = new Map<string, InOrder>();
  private readonly trust: Pick<PlatformTrust, 'remember'> | undefined;

  constructor(
    private readonly client: KubeClient,
    options: PlatformCertificatesOptions = {},
  ) {
    this.trust = options.trust;
    this.overlapMs = options.overlapMs ?? DEFAULT_OVERLAP_MS;
    this.recheckMs = options.recheckMs ?? 60_000;
    this.recheckReadsPerSecond = options.recheckReadsPerSecond ?? 20;
    this.issuer = new IssuerCertificates(client);
    this.expiry =
      options.registry &&
      new Gauge({
        name: CERTIFICATE_EXPIRY_METRIC,
        help: "When a platform's certificate expires (notAfter), in Unix seconds: component ca is the platform's CA. Set by the leader after each pass.",
        labelNames: ['namespace', 'platform', 'component'],
        registers: [options.registry],
      });
  }

  /** A deleted platform's series go with it. */
  forget(namespace: string, name: string): void {
    this.inOrder.delete(`${namespace}/${name}`);
    for (const component of COMPONENT_SERIES) this.expiry?.remove({ namespace, platform: name, component });
  }

  /** Undefined when the platform's components speak plain HTTP (tls.mode Disabled): nothing is issued. */
  async ensure(platform: KycPlatform, now: Date): Promise<CertificatesOutcome | undefined> {
    if (!tlsEnabled(platform.spec)) return undefined;
    const namespace = platform.metadata.namespace ?? '';
    if (issuerRefOf(platform)) {
      // cert-manager issues and renews (reconcile/cert-manager.ts); the operator reports and keeps the bundle.
      const issued = await this.issuer.ensure(platform, now);
      this.setExpiries(namespace, platform.metadata.name, issued.expiries);
      const plan: CertificatePlan = { ca: { action: 'keep' }, issue: [], nextCheckAt: new Date(now.getTime() + issued.requeueAfterMs) };
      return { ...issued, plan };
    }
    const components = desiredComponentNames(platform.spec);
    const names = Object.fromEntries(components.map((c) => [c, certificateNames(platform, c)]));
    const leafValidityMs = certificateValidityMs(platform.spec);
    const rotateRequest = platform.metadata.annotations?.[ROTATE_ANNOTATION] ?? '';
    const id = `${namespace}/${platform.metadata.name}`;
    // A digest: the names alone are ~7 KiB a platform (every DNS name of every Service), 7 MiB of heap at 1,000.
    const inputs = createHash('sha256')
      .update(JSON.stringify([platform.metadata.uid, names, leafValidityMs, rotateRequest]))
      .digest('base64url');
    const known = this.inOrder.get(id);
    const at = now.getTime();
    // The platforms in order, each read again after recheckMs, would take more reads a second than allowed: spread out.
    const recheckMs = Math.max(
      this.recheckMs,
      Math.ceil(((this.inOrder.size * (components.length + 1)) / this.recheckReadsPerSecond) * 1000),
    );
    if (known && known.inputs === inputs && known.checkedAt <= at && at - known.checkedAt < recheckMs && at < known.nextCheckAt) {
      this.setExpiries(namespace, platform.metadata.name, known.expiries);
      const plan: CertificatePlan = { ca: { action: 'keep' }, issue: [], nextCheckAt: new Date(known.nextCheckAt) };
      return this.outcome(platform, plan, known.expiries, [], now);
    }
    this.inOrder.delete(id);
    const read = async (name: string): Promise<SecretResource | undefined> => {
      const secret = await this.client.get<SecretResource>(SECRET, namespace, name);
      // A Secret of that name that is not the platform's is never overwritten.
      if (secret && !isOwnedBy(secret, platform.metadata.name, platform.metadata.uid ?? ''))
        throw new Error(
          `Secret ${namespace}/${name} exists and is not owned by KycPlatform ${platform.metadata.name}: rename or delete it`,
        );
      return secret;
    };
    const caSecret = await read(caSecretName(platform));
    const leafSecrets = new Map<ComponentName, SecretResource | undefined>();
    await Promise.all(components.map(async (c) => leafSecrets.set(c, await read(tlsSecretName(platform, c)))));
    const input = {
      ca: observed(caSecret),
      leaves: Object.fromEntries(components.map((c) => [c, observed(leafSecrets.get(c))])),
      names,
      leafValidityMs,
      caValidityMs: CA_VALIDITY_MS,
      overlapMs: this.overlapMs,
      rotateRequest,
      now,
    };
    const plan = planCertificates(input);
    const issued = carryOut(input, plan, `kyc-platform ${namespace}/${platform.metadata.name} CA`);
    const written: string[] = [];
    // What the Secrets hold once this pass is done: the server's answer for those written, else what was read.
    let caAfter = caSecret;
    const leavesAfter = new Map(leafSecrets);
    // The CA first: a leaf is never written before the CA that signed it.
    if (issued.ca.changed) {
      caAfter = await this.write(platform, caSecret, caSecretName(platform), 'platform', 'Opaque', issued.ca);
      written.push(caSecretName(platform));
    }
    await Promise.all(
      components.map(async (c) => {
        const leaf = issued.leaves[c];
        if (!leaf?.changed) return;
        leavesAfter.set(c, await this.write(platform, leafSecrets.get(c), tlsSecretName(platform, c), c, 'kubernetes.io/tls', leaf));
        written.push(tlsSecretName(platform, c));
      }),
    );
    const expiries: CertificateExpiry[] = [
      ['ca', issued.ca.cert] as const,
      ...components.map((c) => [c, issued.leaves[c]?.cert] as const),
    ].flatMap(([name, pem]) => {
      if (!pem) return [];
      const facts = readCertificate(pem);
      return [{ name, notAfter: facts.notAfter, serialNumber: facts.serialNumber }];
    });
    this.setExpiries(namespace, platform.metadata.name, expiries);
    this.trust?.remember(namespace, platform.metadata.name, decode(caAfter?.data?.['ca.crt']));
    // In order as read, or as written: a pass that wrote the Secrets knows what they hold, and the plan of
    // what it wrote is the one the next pass would make after reading them back (a new platform's second
    // pass read all seven for nothing).
    const settled =
      written.length === 0
        ? plan
        : planCertificates({
            ...input,
            ca: observed(caAfter),
            leaves: Object.fromEntries(components.map((c) => [c, observed(leavesAfter.get(c))])),
          });
    if (settled.ca.action === 'keep' && settled.issue.length === 0)
      this.inOrder.set(id, { inputs, checkedAt: at, nextCheckAt: settled.nextCheckAt.getTime(), expiries });
    return this.outcome(platform, plan, expiries, written, now);
  }

  private outcome(
    platform: KycPlatform,
    plan: CertificatePlan,
    expiries: CertificateExpiry[],
    written: string[],
    now: Date,
  ): CertificatesOutcome {
    const leaves = expiries.filter((e) => e.name !== 'ca');
    const soonest = leaves.reduce<CertificateExpiry | undefined>((a, e) => (a && a.notAfter <= e.notAfter ? a : e), undefined);
    const condition = setCondition(
      platform.status?.conditions,
      {
        type: CONDITION_CERTIFICATES_READY,
        status: 'True',
        observedGeneration: platform.metadata.generation ?? 0,
        reason: plan.ca.action === 'keep' && plan.issue.length === 0 ? 'Issued' : 'Renewed',
        message: `CA and ${leaves.length} certificates in Secrets ${caSecretName(platform)} and <platform>-<component>-tls; the first to expire: ${soonest?.name ?? '-'} at ${soonest?.notAfter.toISOString() ?? '-'}`,
      },
      now,
    );
    return { condition, expiries, requeueAfterMs: Math.max(1000, plan.nextCheckAt.getTime() - now.getTime()), written, plan };
  }

  private setExpiries(namespace: string, platform: string, expiries: readonly CertificateExpiry[]): void {
    for (const e of expiries) this.expiry?.set({ namespace, platform, component: e.name }, Math.floor(e.notAfter.getTime() / 1000));
  }

  private async write(
    platform: KycPlatform,
    current: SecretResource | undefined,
    name: string,
    component: 'platform' | ComponentName,
    type: string,
    content: ObservedSecret,
  ): Promise<SecretResource> {
    const meta = tlsSecretMeta(platform, name, component);
    const object: SecretResource = {
      apiVersion: 'v1',
      kind: 'Secret',
      type,
      metadata: {
        ...meta,
        annotations: { ...current?.metadata.annotations, ...content.annotations },
        // The version it read: two writers (an old leader, a new one) never silently overwrite each other.
        ...(current?.metadata.resourceVersion ? { resourceVersion: current.metadata.resourceVersion } : {}),
      },
      data: { 'tls.crt': encode(content.cert), 'tls.key': encode(content.key), 'ca.crt': encode(content.bundle) },
    };
    try {
      return await this.client.apply<SecretResource>(SECRET, object, FIELD_MANAGER);
    } catch (error) {
      throw new Error(`write Secret ${platform.metadata.namespace}/${name}`, { cause: error });
    }
  }
}

/**
 * The trust bundle of a platform (ca.crt of `<platform>-tls-ca`) for the operator's own calls to its pods
 * (the scrape and /health), read by name at most once a minute: a new bundle precedes new leaves by the
 * overlap (5 minutes), so a bundle a minute old still trusts every pod.
 */
export class PlatformTrust {
  private readonly cache = new Map<string, { at: number; bundle: string | undefined }>();

  constructor(
    private readonly client: Pick<KubeClient, 'get'>,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** How to trust a component's pods, or undefined when the platform's components speak plain HTTP. */
  async forComponent(platform: KycPlatform, component: ComponentName): Promise<PodTls | undefined> {
    if (!tlsEnabled(platform.spec)) return undefined;
    const bundle = await this.bundle(platform.metadata.namespace ?? '', platform.metadata.name);
    // No bundle yet (the first pass has not written it): nothing to trust, so no call is made.
    if (!bundle) throw new Error(`Secret ${caSecretName(platform)} holds no trust bundle yet`);
    return { ca: bundle, servername: componentObjectName(platform, component) };
  }

  /** ca.crt of `<name>-tls-ca`, or undefined while it does not exist (the blue-green smoke check's trust too). */
  async bundle(namespace: string, name: string): Promise<string | undefined> {
    const key = `${namespace}/${name}`;
    let entry = this.cache.get(key);
    if (!entry || this.now() - entry.at >= this.ttlMs) {
      const secret = await this.client.get<SecretResource>(SECRET, namespace, caSecretName({ metadata: { name } }));
      entry = { at: this.now(), bundle: decode(secret?.data?.['ca.crt']) };
      this.cache.set(key, entry);
    }
    return entry.bundle;
  }

  /** The bundle as the certificates pass just read or wrote it: good for the same minute as one read here. */
  remember(namespace: string, name: string, bundle: string | undefined): void {
    this.cache.set(`${namespace}/${name}`, { at: this.now(), bundle });
  }

  forget(namespace: string, name: string): void {
    this.cache.delete(`${namespace}/${name}`);
  }
}
