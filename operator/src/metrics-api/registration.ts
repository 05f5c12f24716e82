// Registration of the external metrics API: the serving certificate kept in a Secret beside the
// operator (so that every replica behind the Service serves the same one; the first replica to need a
// new one writes it, the others read it), and the APIService v1beta1.external.metrics.k8s.io whose
// caBundle trusts it. Rotation: a serving certificate in the last third of its life is re-issued by
// the same CA (no APIService change); a new CA is announced next to the old one until the next check.
import { FIELD_MANAGER } from '../runtime/apply.js';
import { isConflict, isNotFound, type KubeClient, type KubeResource, type ResourceType } from '../runtime/kube.js';
import { createCa, createServingCert, needsRotation, type ServingBundle } from '../api/x509.js';
import { externalMetricsOwnership, mayRegister, type ApiServiceView, type ExternalMetricsOwnership } from './ownership.js';
import { GROUP, VERSION } from './request.js';

export const APISERVICE: ResourceType = {
  apiVersion: 'apiregistration.k8s.io/v1',
  kind: 'APIService',
  plural: 'apiservices',
  namespaced: false,
};
export const APISERVICE_NAME = `${VERSION}.${GROUP}`;
const SECRET: ResourceType = { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true };

export interface ServiceRef {
  namespace: string;
  name: string;
  port: number;
}

/** The names the API server checks the serving certificate against (it dials <name>.<namespace>.svc). */
export function serviceDnsNames(service: Pick<ServiceRef, 'namespace' | 'name'>): string[] {
  return [`${service.name}.${service.namespace}.svc`, `${service.name}.${service.namespace}.svc.cluster.local`];
}

export function certSecretName(service: Pick<ServiceRef, 'name'>): string {
  return `${service.name}-tls`;
}

type SecretResource = KubeResource & { data?: Record<string, string>; type?: string };

const KEYS = { caCert: 'ca.crt', caKey: 'ca.key', cert: 'tls.crt', key: 'tls.key', previousCa: 'previous-ca.crt' } as const;

function decode(secret: SecretResource | undefined): Partial<ServingBundle> & { previousCa?: string } {
  const out: Partial<ServingBundle> & { previousCa?: string } = {};
  for (const [field, key] of Object.entries(KEYS)) {
    const value = secret?.data?.[key];
    if (value) (out as Record<string, string>)[field] = Buffer.from(value, 'base64').toString('utf8');
  }
  return out;
}

export interface CertResult {
  bundle: ServingBundle;
  /** caBundle for the APIService: the current CA, plus the previous one right after a CA rotation. */
  caBundle: string;
  rotated: 'ca' | 'serving' | undefined;
}

/** Reads the certificate Secret and (re)issues what needs it. Safe to run in several replicas at once. */
export async function ensureServingCert(client: KubeClient, service: ServiceRef, now: Date): Promise<CertResult> {
  const names = serviceDnsNames(service);
  const secretName = certSecretName(service);
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const secret = await client.get<SecretResource>(SECRET, service.namespace, secretName);
    const current = decode(secret);
    const rotation = needsRotation(current, names, now);
    if (!rotation) {
      const bundle = current as ServingBundle;
      return { bundle, caBundle: bundle.caCert + (current.previousCa ?? ''), rotated: undefined };
    }
    const ca = rotation === 'ca' ? createCa(now) : { caCert: current.caCert as string, caKey: current.caKey as string };
    const serving = createServingCert(ca, names, now);
    const previousCa = rotation === 'ca' && current.caCert ? current.caCert : undefined;
    const data: Record<string, string> = {};
    const bundle: ServingBundle = { ...ca, ...serving };
    for (const [field, key] of Object.entries(KEYS)) {
      const value = field === 'previousCa' ? previousCa : bundle[field as keyof ServingBundle];
      if (value) data[key] = Buffer.from(value).toString('base64');
    }
    const object = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: {
        name: secretName,
        namespace: service.namespace,
        labels: { 'app.kubernetes.io/managed-by': 'kyc-operator', 'app.kubernetes.io/component': 'external-metrics' },
        ...(secret?.metadata.resourceVersion ? { resourceVersion: secret.metadata.resourceVersion } : {}),
      },
      data,
    };
    try {
      if (secret) await client.replace(SECRET, object);
      else await client.create(SECRET, service.namespace, object);
      return { bundle, caBundle: bundle.caCert + (previousCa ?? ''), rotated: rotation };
    } catch (error) {
      // Another replica wrote it first: read theirs.
      if (isConflict(error) || isNotFound(error) || (error as { status?: number }).status === 409) continue;
      throw new Error(`write Secret ${service.namespace}/${secretName}`, { cause: error });
    }
  }
  throw new Error(`Secret ${service.namespace}/${secretName} keeps changing; giving up for now`);
}

/** The APIService that sends external.metrics.k8s.io/v1beta1 to the operator's Service. */
export function renderApiService(service: ServiceRef, caBundle: string): KubeResource {
  return {
    apiVersion: APISERVICE.apiVersion,
    kind: APISERVICE.kind,
    metadata: {
      name: APISERVICE_NAME,
      labels: { 'app.kubernetes.io/managed-by': 'kyc-operator', 'app.kubernetes.io/component': 'external-metrics' },
    },
    spec: {
      group: GROUP,
      version: VERSION,
      service: { namespace: service.namespace, name: service.name, port: service.port },
      caBundle: Buffer.from(caBundle).toString('base64'),
      groupPriorityMinimum: 100,
      versionPriority: 100,
    },
  };
}

export async function registerApiService(client: KubeClient, service: ServiceRef, caBundle: string): Promise<void> {
  try {
    await client.apply(APISERVICE, renderApiService(service, caBundle), FIELD_MANAGER);
  } catch (error) {
    throw new Error(`apply APIService ${APISERVICE_NAME}`, { cause: error });
  }
}

/** True when the APIService exists and sends the group to this Service with this caBundle. */
export async function apiServiceMatches(client: KubeClient, service: ServiceRef, caBundle: string): Promise<boolean> {
  const live = await client.get<KubeResource & { spec?: { service?: Partial<ServiceRef>; caBundle?: string } }>(
    APISERVICE,
    '',
    APISERVICE_NAME,
  );
  const spec = live?.spec;
  return (
    spec?.service?.namespace === service.namespace &&
    spec.service.name === service.name &&
    spec.service.port === service.port &&
    spec.caBundle === Buffer.from(caBundle).toString('base64')
  );
}

/**
 * Registers the APIService unless another server holds it (metrics-api/ownership.ts): KEDA's or
 * prometheus-adapter's registration is left as it is, unless `takeOver` (--external-metrics-take-over).
 * Returns who held it before the call.
 */
export async function registerUnlessOwnedElsewhere(
  client: KubeClient,
  service: ServiceRef,
  caBundle: string,
  takeOver = false,
): Promise<ExternalMetricsOwnership> {
  const live = await client.get<KubeResource & ApiServiceView>(APISERVICE, '', APISERVICE_NAME);
  const ownership = externalMetricsOwnership(live, service);
  if (takeOver || mayRegister(ownership)) await registerApiService(client, service, caBundle);
  return ownership;
}
