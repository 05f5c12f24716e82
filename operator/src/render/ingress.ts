// The Ingress in front of the gateway, when spec.ingress.host is set (and the gateway runs).
import { componentEnabled } from '../api/defaults.js';
import type { KycPlatform } from '../api/types.js';
import { componentObjectName, unversionedObjectMeta } from './meta.js';
import type { KubeObject } from './types.js';

export function renderIngress(platform: KycPlatform): KubeObject | undefined {
  const ingress = platform.spec.ingress;
  if (!ingress?.host || !componentEnabled(platform.spec, 'gateway')) return undefined;
  const service = componentObjectName(platform, 'gateway');
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: unversionedObjectMeta(platform, service, 'gateway'),
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
