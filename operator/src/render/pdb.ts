// PodDisruptionBudget per component.
//
// maxUnavailable: 1 rather than minAvailable: it stays right while the HPA moves the replica count (a fixed
// minAvailable of N blocks every drain when the HPA sits at N, a percentage rounds badly at small counts),
// it still lets a node drain when a development component has a single replica (minAvailable: 1 would
// block it forever), and with production's >= 3 replicas at most one replica per component is ever evicted
// voluntarily. unhealthyPodEvictionPolicy AlwaysAllow: a crash-looping pod must not block a drain.
// Under blue-green it covers the active colour only (`color`): a preview still coming up, or the old
// colour being scaled down, must not use up the budget of the pods that serve.
import type { ComponentName } from '../api/components.js';
import type { KycPlatform } from '../api/types.js';
import { colorSelectorLabels, componentObjectName, unversionedObjectMeta, selectorLabels, type Color } from './meta.js';
import type { KubeObject } from './types.js';

export function renderPodDisruptionBudget(platform: KycPlatform, component: ComponentName, color?: Color): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: unversionedObjectMeta(platform, componentObjectName(platform, component), component),
    spec: {
      maxUnavailable: 1,
      selector: { matchLabels: color ? colorSelectorLabels(platform, component, color) : selectorLabels(platform, component) },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  };
}
