// The platform's certificates from cert-manager (spec.tls.issuerRef; docs/security.md, "Certificates from
// cert-manager"): look for cert-manager's Certificate CRD, write a Certificate per component
// (render/cert-manager.ts), read them and the Secrets cert-manager writes, let release/cert-manager.ts
// decide, and keep the trust bundle (the Secrets' CAs) in `<platform>-tls-ca`, where the operator's own
// calls and the pods read it. The Secrets are not watched: the outcome says when to look again.
import { setCondition } from '../api/conditions.js';
import { desiredComponentNames } from '../api/defaults.js';
import type { ComponentName } from '../api/components.js';
import type { Condition, KycPlatform } from '../api/types.js';
import { assessIssued, type ObservedCertificate } from '../release/cert-manager.js';
import type { ObservedSecret } from '../release/certificates.js';
import { CERTIFICATE, CERTIFICATE_CRD, CERTIFICATE_NAME_ANNOTATION, issuerRefOf, renderCertificates } from '../render/cert-manager.js';
import { componentObjectName } from '../render/meta.js';
import { caSecretName, certificateNames, tlsSecretMeta, tlsSecretName } from '../render/tls.js';
import { Applier, FIELD_MANAGER } from '../runtime/apply.js';
import type { KubeClient, KubeResource, ResourceType } from '../runtime/kube.js';
import { OptionalKindObjects } from './optional-kind.js';
import { isOwnedBy, SECRET } from './resources.js';

export const CERTIFICATE_TYPE: ResourceType = { ...CERTIFICATE, namespaced: true };
/** CertificatesReady=False and nothing rolled out: the cluster has no cert-manager. */
export const REASON_CERT_MANAGER_NOT_INSTALLED = 'CertManagerNotInstalled';
/** CertificatesReady=False and nothing rolled out: a component's Secret holds no usable certificate yet. */
export const REASON_CERTIFICATES_PENDING = 'CertificatesPending';
const NOT_INSTALLED_CHECK_MS = 60_000;

type SecretResource = KubeResource & { type?: string; data?: Record<string, string> };
type CertificateResource = KubeResource & {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string; observedGeneration?: number }[] };
};

export interface IssuerOutcome {
  condition: Condition;
  /** Set when the platform must not roll out: the Deployments would mount Secrets that hold nothing yet. */
  hold?: { reason: string; message: string };
  expiries: { name: 'ca' | ComponentName; notAfter: Date; serialNumber: string }[];
  requeueAfterMs: number;
  /** Objects written this pass (Certificates, the bundle Secret), for the Event. */
  written: string[];
}

const decode = (value: string | undefined): string | undefined => (value ? Buffer.from(value, 'base64').toString('utf8') : undefined);

export class IssuerCertificates {
  private readonly certificates: OptionalKindObjects;

  constructor(
    private readonly client: KubeClient,
    clock: () => number = Date.now,
  ) {
    this.certificates = new OptionalKindObjects(client, new Applier(client), { type: CERTIFICATE_TYPE, crd: CERTIFICATE_CRD }, clock);
  }

  async ensure(platform: KycPlatform, now: Date): Promise<IssuerOutcome> {
    const namespace = platform.metadata.namespace ?? '';
    const issuer = issuerRefOf(platform);
    const condition = (status: 'True' | 'False', reason: string, message: string): Condition =>
      setCondition(
        platform.status?.conditions,
        { type: 'CertificatesReady', status, observedGeneration: platform.metadata.generation ?? 0, reason, message },
        now,
      );
    const owner: KubeResource = { apiVersion: platform.apiVersion, kind: platform.kind, metadata: { ...platform.metadata } };
    const synced = await this.certificates.sync(owner, renderCertificates(platform));
    if (!synced.installed) {
      const message = `spec.tls.issuerRef names ${issuer?.kind} ${issuer?.name}, but the cluster has no cert-manager (CustomResourceDefinition ${CERTIFICATE_CRD} is not installed): install cert-manager or remove spec.tls.issuerRef to use the built-in CA; nothing is rolled out until then (docs/security.md, "Certificates from cert-manager")`;
      return {
        condition: condition('False', REASON_CERT_MANAGER_NOT_INSTALLED, message),
        hold: { reason: REASON_CERT_MANAGER_NOT_INSTALLED, message },
        expiries: [],
        requeueAfterMs: NOT_INSTALLED_CHECK_MS,
        written: [],
      };
    }
    const components = desiredComponentNames(platform.spec);
    const certificates: Partial<Record<ComponentName, ObservedCertificate>> = {};
    const secrets: Partial<Record<ComponentName, ObservedSecret>> = {};
    await Promise.all(
      components.map(async (c) => {
        const live = await this.client.get<CertificateResource>(CERTIFICATE_TYPE, namespace, componentObjectName(platform, c));
        const ready = live?.status?.conditions?.find((x) => x.type === 'Ready');
        certificates[c] = live && { generation: live.metadata.generation, ready };
        const secret = await this.client.get<SecretResource>(SECRET, namespace, tlsSecretName(platform, c));
        // cert-manager's own (it names the Certificate) or the platform's from the built-in CA (cert-manager
        // takes it over); any other Secret of that name is never read as the platform's.
        if (
          secret &&
          secret.metadata.annotations?.[CERTIFICATE_NAME_ANNOTATION] !== componentObjectName(platform, c) &&
          !isOwnedBy(secret, platform.metadata.name, platform.metadata.uid ?? '')
        )
          throw new Error(
            `Secret ${namespace}/${secret.metadata.name} exists and belongs neither to Certificate ${componentObjectName(platform, c)} nor to KycPlatform ${platform.metadata.name}: rename or delete it`,
          );
        secrets[c] = secret && {
          cert: decode(secret.data?.['tls.crt']),
          key: decode(secret.data?.['tls.key']),
          bundle: decode(secret.data?.['ca.crt']),
        };
      }),
    );
    const assessment = assessIssued({
      names: Object.fromEntries(components.map((c) => [c, certificateNames(platform, c)])),
      certificates,
      secrets,
      now,
    });
    const written = [...synced.created, ...synced.updated];
    if (assessment.bundle && (await this.writeBundle(platform, assessment.bundle))) written.push(caSecretName(platform));
    const from = `${issuer?.kind} ${issuer?.name}`;
    const waiting = assessment.waiting.map((w) => `${w.component}: ${w.why}`).join('; ');
    const requeueAfterMs = Math.max(1000, assessment.nextCheckAt.getTime() - now.getTime());
    if (!assessment.usable) {
      const message = `waiting for ${from} to issue: ${waiting}; nothing is rolled out until every component's Secret holds its certificate`;
      return {
        condition: condition('False', REASON_CERTIFICATES_PENDING, message),
        hold: { reason: REASON_CERTIFICATES_PENDING, message },
        expiries: assessment.expiries,
        requeueAfterMs,
        written,
      };
    }
    const leaves = assessment.expiries.filter((e) => e.name !== 'ca');
    const soonest = leaves.reduce<(typeof leaves)[number] | undefined>((a, e) => (a && a.notAfter <= e.notAfter ? a : e), undefined);
    return {
      condition: assessment.ready
        ? condition(
            'True',
            'Issued',
            `${leaves.length} certificates from ${from} in Secrets <platform>-<component>-tls, trust bundle in ${caSecretName(platform)}; the first to expire: ${soonest?.name ?? '-'} at ${soonest?.notAfter.toISOString() ?? '-'}`,
          )
        : condition('False', 'Issuing', `waiting for ${from}: ${waiting}`),
      expiries: assessment.expiries,
      requeueAfterMs,
      written,
    };
  }

  /** `<platform>-tls-ca` with the bundle as ca.crt (no key: the issuer keeps its own). True when it changed. */
  private async writeBundle(platform: KycPlatform, bundle: string): Promise<boolean> {
    const namespace = platform.metadata.namespace ?? '';
    const name = caSecretName(platform);
    const current = await this.client.get<SecretResource>(SECRET, namespace, name);
    if (current && !isOwnedBy(current, platform.metadata.name, platform.metadata.uid ?? ''))
      throw new Error(`Secret ${namespace}/${name} exists and is not owned by KycPlatform ${platform.metadata.name}: rename or delete it`);
    const data = { 'ca.crt': Buffer.from(bundle).toString('base64') };
    if (current && Object.keys(current.data ?? {}).length === 1 && current.data?.['ca.crt'] === data['ca.crt']) return false;
    const object: SecretResource = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: {
        ...tlsSecretMeta(platform, name, 'platform'),
        ...(current?.metadata.resourceVersion ? { resourceVersion: current.metadata.resourceVersion } : {}),
      },
      data,
    };
    try {
      await this.client.apply(SECRET, object, FIELD_MANAGER);
    } catch (error) {
      throw new Error(`write Secret ${namespace}/${name}`, { cause: error });
    }
    return true;
  }
}
