// The platform ConfigMap: feature flags (FEATURE_FLAGS of every component) and the gateway's load-balancing
// settings. Its content hash goes on every pod template, so a change rolls the pods that read it.
import { createHash } from 'node:crypto';
import { desiredComponentNames, featureFlagsOf, loadBalancingFor } from '../api/defaults.js';
import type { KycPlatform } from '../api/types.js';
import { configMapName, objectMeta } from './meta.js';
import type { KubeObject } from './types.js';

export const FEATURE_FLAGS_KEY = 'feature-flags';
export const LOAD_BALANCING_KEY = 'load-balancing.json';
export const COMPONENTS_KEY = 'components';

export function configData(platform: KycPlatform): Record<string, string> {
  const lb = loadBalancingFor(platform.spec);
  const weights = Object.fromEntries(Object.entries(lb.weights).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    [COMPONENTS_KEY]: desiredComponentNames(platform.spec).join(','),
    [FEATURE_FLAGS_KEY]: featureFlagsOf(platform.spec)
      .map(([name, on]) => `${name}=${on}`)
      .join(','),
    [LOAD_BALANCING_KEY]: JSON.stringify({ strategy: lb.strategy, stickySessions: lb.stickySessions, weights }),
  };
}

/** A short, stable digest of the ConfigMap data (keys in a fixed order). */
export function configHash(platform: KycPlatform): string {
  const data = configData(platform);
  const canonical = JSON.stringify(Object.keys(data).sort().map((k) => [k, data[k]]));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

export function renderConfigMap(platform: KycPlatform): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: objectMeta(platform, configMapName(platform), 'platform'),
    data: configData(platform),
  };
}
