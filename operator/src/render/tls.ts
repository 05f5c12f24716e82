// The names of the platform's TLS: its Secrets, where the pods find them, and the names each component's
// certificate must carry (docs/security.md, "TLS between the components"). The SANs come from the same
// functions that name the Services (service.ts, meta.ts), so a Service and its certificate cannot disagree.
import type { ComponentName } from '../api/components.js';
import { gatewayPublicNames, profileOf, tlsEnabled, tlsModeOf } from '../api/defaults.js';
import type { KycPlatform } from '../api/types.js';
import {
  colorObjectName,
  componentObjectName,
  namespaceOf,
  previewServiceName,
  unversionedObjectMeta,
  type Color,
  type LabelComponent,
} from './meta.js';
import type { EnvVar } from './env.js';
import type { KubeObject } from './types.js';
import { headlessServiceName } from './service.js';

export const REASON_TLS_REQUIRED = 'TLSRequired';

/** Production refuses plain HTTP between the components: the message says what to set, or undefined. */
export function tlsRequiredRefusal(platform: KycPlatform): string | undefined {
  if (profileOf(platform.spec) !== 'production' || tlsModeOf(platform.spec) !== 'Disabled') return undefined;
  return 'spec.tls.mode Disabled (plain HTTP between the components) is refused by the production profile: set spec.tls.mode to BuiltIn (or remove it); only the development and staging profiles may run without TLS (docs/security.md, "TLS between the components")';
}

/** Both colours of a blue-green platform. */
const COLORS: readonly Color[] = ['blue', 'green'];

/** Where every container finds tls.crt, tls.key and ca.crt (KYC_TLS_DIR). */
export const TLS_DIR = '/var/run/kyc/tls';
export const TLS_VOLUME = 'tls';

/** `<platform>-tls-ca`: the CA's key and the trust bundle; never mounted into a pod. */
export function caSecretName(platform: { metadata: { name: string } }): string {
  return `${platform.metadata.name}-tls-ca`;
}

/** `<platform>-<component>-tls`: the component's certificate, key and the trust bundle (type kubernetes.io/tls). */
export function tlsSecretName(platform: KycPlatform, component: ComponentName): string {
  return `${componentObjectName(platform, component)}-tls`;
}

/**
 * Every Service that selects the component, whatever the strategy: active, preview, per colour, and the
 * headless ones the gateway resolves. All of them at all times, so a switch of strategy or a release
 * needs no new certificate.
 */
export function componentServiceNames(platform: KycPlatform, component: ComponentName): string[] {
  return [
    componentObjectName(platform, component),
    previewServiceName(platform, component),
    ...COLORS.map((color) => colorObjectName(platform, component, color)),
    headlessServiceName(platform, component),
    ...COLORS.map((color) => headlessServiceName(platform, component, color)),
  ];
}

/** The SANs of a component's certificate: each Service name in the four forms a client may dial. */
export function serviceSubjectAltNames(platform: KycPlatform, component: ComponentName): string[] {
  const namespace = namespaceOf(platform);
  return componentServiceNames(platform, component).flatMap((name) => [
    name,
    `${name}.${namespace}`,
    `${name}.${namespace}.svc`,
    `${name}.${namespace}.svc.cluster.local`,
  ]);
}

/** A component's SANs: its Services' names, and for the gateway tls.publicNames and ingress.host. */
export function certificateNames(platform: KycPlatform, component: ComponentName): string[] {
  const services = serviceSubjectAltNames(platform, component);
  return component === 'gateway' ? [...services, ...gatewayPublicNames(platform.spec)] : services;
}

/** `https` when the components speak TLS (BuiltIn), `http` when Disabled: the scheme of every peer URL. */
export function peerScheme(platform: KycPlatform): 'http' | 'https' {
  return tlsEnabled(platform.spec) ? 'https' : 'http';
}

/** KYC_TLS_DIR: set, the services serve HTTPS only and verify their peers with ca.crt (docs/workload-contract.md). */
export function tlsEnv(platform: KycPlatform): EnvVar[] {
  return tlsEnabled(platform.spec) ? [{ name: 'KYC_TLS_DIR', value: TLS_DIR }] : [];
}

/**
 * The Secret volume of the component's certificate. A whole-directory mount (no subPath), so the kubelet
 * swaps the files in place when the Secret changes and the services reload them: no certificate hash in
 * the pod template, so a rotation restarts no pod. 0440 with the pods' fsGroup: the non-root user reads it.
 */
export function tlsVolumes(platform: KycPlatform, component: ComponentName): unknown[] {
  if (!tlsEnabled(platform.spec)) return [];
  // spec.tls.issuerRef: the key pair from cert-manager's Secret, ca.crt from the bundle the operator keeps of
  // every Secret's CA (reconcile/cert-manager.ts), so a peer re-issued by a renewed issuer CA stays trusted.
  if (platform.spec.tls?.issuerRef)
    return [
      {
        name: TLS_VOLUME,
        projected: {
          defaultMode: 0o440,
          sources: [
            { secret: { name: tlsSecretName(platform, component), items: ['tls.crt', 'tls.key'].map((key) => ({ key, path: key })) } },
            { secret: { name: caSecretName(platform), items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          ],
        },
      },
    ];
  return [{ name: TLS_VOLUME, secret: { secretName: tlsSecretName(platform, component), defaultMode: 0o440 } }];
}

export function tlsVolumeMounts(platform: KycPlatform): unknown[] {
  return tlsEnabled(platform.spec) ? [{ name: TLS_VOLUME, mountPath: TLS_DIR, readOnly: true }] : [];
}

/** The probes' scheme: the kubelet probes HTTPS without verifying the certificate (it has no trust bundle). */
export function probeScheme(platform: KycPlatform): { scheme?: 'HTTPS' } {
  return tlsEnabled(platform.spec) ? { scheme: 'HTTPS' } : {};
}

/**
 * Metadata of a certificate Secret: the platform's labels without the version (a Secret runs none; with
 * it every release would rewrite the six Secrets) and the platform as controlling owner, so the Secrets go
 * with it.
 */
export function tlsSecretMeta(platform: KycPlatform, name: string, component: LabelComponent): KubeObject['metadata'] {
  return unversionedObjectMeta(platform, name, component);
}
