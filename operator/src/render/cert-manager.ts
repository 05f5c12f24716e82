// cert-manager Certificates for spec.tls.issuerRef (docs/security.md, "Certificates from cert-manager"): one
// per component, asking the named Issuer for what the built-in CA would issue — the same Secret
// (`<platform>-<component>-tls`, which the pods already mount), the same names (render/tls.ts), ECDSA P-256,
// serverAuth and clientAuth, valid certificateValidity and renewed at 2/3 of it. The kind exists only where
// cert-manager's CRD is installed: reconcile/cert-manager.ts looks for it first (optional-kind.ts).
import type { ComponentName } from '../api/components.js';
import { certificateValidityMs, desiredComponentNames } from '../api/defaults.js';
import type { KycPlatform, TlsIssuerRef } from '../api/types.js';
import { componentObjectName, unversionedObjectMeta, unversionedLabels } from './meta.js';
import { certificateNames, tlsSecretName } from './tls.js';
import type { KubeObject } from './types.js';

export const CERTIFICATE = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', plural: 'certificates' } as const;
export const CERTIFICATE_CRD = 'certificates.cert-manager.io';
/** The annotation cert-manager writes on the Secrets it issues: the Certificate's name. */
export const CERTIFICATE_NAME_ANNOTATION = 'cert-manager.io/certificate-name';
/** cert-manager's limit on a certificate's common name. */
const MAX_COMMON_NAME = 64;

/** An IP address among the names (IPv4 dotted, or IPv6: a DNS name has no colon); the rest are DNS names. */
const isAddress = (name: string): boolean => name.includes(':') || /^\d{1,3}(\.\d{1,3}){3}$/.test(name);

/** The issuer of spec.tls.issuerRef with its defaults, or undefined when the built-in CA issues. */
export function issuerRefOf(platform: KycPlatform): Required<TlsIssuerRef> | undefined {
  const ref = platform.spec.tls?.issuerRef;
  if (!ref) return undefined;
  return { name: ref.name, kind: ref.kind ?? 'Issuer', group: ref.group ?? 'cert-manager.io' };
}

/** A Go duration (cert-manager's format) of whole minutes, e.g. 14400000 ms → "240h0m". */
export function goDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  return `${Math.floor(minutes / 60)}h${minutes % 60}m`;
}

/** The Certificate of a component: same Secret, names and validity as the built-in CA's (release/certificates.ts). */
export function renderCertificate(platform: KycPlatform, component: ComponentName, issuer: Required<TlsIssuerRef>): KubeObject {
  const names = certificateNames(platform, component);
  const validityMs = certificateValidityMs(platform.spec);
  const commonName = names[0];
  return {
    apiVersion: CERTIFICATE.apiVersion,
    kind: CERTIFICATE.kind,
    metadata: unversionedObjectMeta(platform, componentObjectName(platform, component), component),
    spec: {
      secretName: tlsSecretName(platform, component),
      // The platform's labels on the Secret too: `kubectl get secret -l app.kubernetes.io/instance=...` finds it.
      secretTemplate: { labels: unversionedLabels(platform, component) },
      ...(commonName && commonName.length <= MAX_COMMON_NAME ? { commonName } : {}),
      dnsNames: names.filter((n) => !isAddress(n)),
      ...(names.some(isAddress) ? { ipAddresses: names.filter(isAddress) } : {}),
      duration: goDuration(validityMs),
      renewBefore: goDuration(validityMs / 3),
      // A new key at each issue, as the built-in CA does.
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      usages: ['digital signature', 'server auth', 'client auth'],
      issuerRef: issuer,
    },
  };
}

/** Every enabled component's Certificate, or [] when the built-in CA issues. */
export function renderCertificates(platform: KycPlatform): KubeObject[] {
  const issuer = issuerRefOf(platform);
  if (!issuer) return [];
  return desiredComponentNames(platform.spec).map((component) => renderCertificate(platform, component, issuer));
}
