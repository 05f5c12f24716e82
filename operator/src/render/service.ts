// The ClusterIP Service in front of a component's pods (the gateway's upstreams point at these).
import type { ComponentName } from '../api/components.js';
import type { KycPlatform } from '../api/types.js';
import { HTTP_PORT, componentObjectName, objectMeta, selectorLabels } from './meta.js';
import type { KubeObject } from './types.js';

export function renderService(platform: KycPlatform, component: ComponentName): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: objectMeta(platform, componentObjectName(platform, component), component),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(platform, component),
      ports: [{ name: 'http', port: HTTP_PORT, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}
