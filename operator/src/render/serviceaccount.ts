// One ServiceAccount per component: the services never call the Kubernetes API, so no token is mounted.
import type { ComponentName } from '../api/components.js';
import type { KycPlatform } from '../api/types.js';
import { componentObjectName, unversionedObjectMeta } from './meta.js';
import type { KubeObject } from './types.js';

export function renderServiceAccount(platform: KycPlatform, component: ComponentName): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: unversionedObjectMeta(platform, componentObjectName(platform, component), component),
    automountServiceAccountToken: false,
  };
}
