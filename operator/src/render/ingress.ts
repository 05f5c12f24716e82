// The Ingress in front of the gateway, when spec.ingress.host is set (and the gateway runs).
import { componentEnabled, tlsEnabled } from '../api/defaults.js';
import type { KycPlatform } from '../api/types.js';
import { componentObjectName, namespaceOf, unversionedObjectMeta } from './meta.js';
import { tlsSecretName } from './tls.js';
import type { KubeObject } from './types.js';

/**
 * tls BuiltIn: the gateway's port speaks HTTPS only, so the Ingress controller must too. ingress-nginx reads
 * these annotations: HTTPS to the gateway, TLS 1.3, the certificate checked against the gateway Service's
 * name with the platform's bundle (ca.crt of the gateway's own Secret). Other controllers ignore them
 * (docs/security.md, "Left to the cluster admin").
 */
function backendTls(platform: KycPlatform, service: string): { annotations?: Record<string, string> } {
  if (!tlsEnabled(platform.spec)) return {};
  return {
    annotations: {
      'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
      'nginx.ingress.kubernetes.io/proxy-ssl-secret': `${namespaceOf(platform)}/${tlsSecretName(platform, 'gateway')}`,
      'nginx.ingress.kubernetes.io/proxy-ssl-verify': 'on',
      'nginx.ingress.kubernetes.io/proxy-ssl-name': service,
      'nginx.ingress.kubernetes.io/proxy-ssl-server-name': 'on',
      'nginx.ingress.kubernetes.io/proxy-ssl-protocols': 'TLSv1.3',
    },
  };
}

export function renderIngress(platform: KycPlatform): KubeObject | undefined {
  const ingress = platform.spec.ingress;
  if (!ingress?.host || !componentEnabled(platform.spec, 'gateway')) return undefined;
  const service = componentObjectName(platform, 'gateway');
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { ...unversionedObjectMeta(platform, service, 'gateway'), ...backendTls(platform, service) },
    spec: {
      ...(ingress.className ? { ingressClassName: ingress.className } : {}),
      ...(ingress.tlsSecretName ? { tls: [{ hosts: [ingress.host], secretName: ingress.tlsSecretName }] } : {}),
      rules: [
        {
          host: ingress.host,
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { name: 'http' } } } }] },
        },
      ],
    },
  };
}
