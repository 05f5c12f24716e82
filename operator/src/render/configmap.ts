// The platform ConfigMap: the live settings the services re-read while they run (feature flags, the gateway's
// load balancing), and the enabled components, which are read at start.
//
// Only the start-time part is hashed onto the pod templates (a change there rolls the pods that read it).
// The live settings are left out of the hash on purpose: a flag switched in an incident must not restart
// anything. The pods see them as a mounted file; the operator marks each pod with their digest
// (liveSettingsDigest) so the kubelet refreshes the file at once instead of at its next periodic sync
// (docs/api.md, "Feature flags").
//
// They carry the reduced-functionality mode an admin forced (spec.degradation.mode), only when it is not
// Normal: the services read an absent mode as Normal, so a platform that never forces one renders the same
// settings as before (docs/api.md, "Degradation").
//
// They carry the gateway's load balancing (spec.loadBalancing) too, only when it is not the default (round
// robin, not sticky), for the same reason: the gateway reads an absent section as the default, and swaps its
// policy within seconds of a change (docs/workloads.md, "Load balancing"), so changing it rolls no pod.
//
// Under a blue-green release the live settings also name the active colour (the release plan's, so it
// moves in the pass that switches the Services): only the pods of that colour consume Kafka and run
// sweeps (docs/releases.md, "Blue-green isolation").
import { createHash } from 'node:crypto';
import { degradationModeOf, desiredComponentNames, featureFlagsOf, loadBalancingFor } from '../api/defaults.js';
import type { KycPlatform } from '../api/types.js';
import { configMapName, unversionedObjectMeta, type Color } from './meta.js';
import type { KubeObject } from './types.js';

export const LIVE_SETTINGS_KEY = 'live-settings.json';
export const COMPONENTS_KEY = 'components';

/** The colour whose pods are active: legacy is the single pre-blue-green Deployments (their pods have no colour). */
export type ActiveColor = Color | 'legacy';

/**
 * What the services re-read while they run: one JSON document (docs/workload-contract.md).
 * @param activeColor the release plan's active colour; undefined (no blue-green release): every pod is active
 */
export function liveSettings(platform: KycPlatform, activeColor?: ActiveColor): string {
  const mode = degradationModeOf(platform.spec);
  const lb = loadBalancingFor(platform.spec);
  const defaultBalancing = lb.strategy === 'round-robin' && !lb.stickySessions;
  return JSON.stringify({
    featureFlags: featureFlagsOf(platform.spec),
    ...(activeColor && { activeColor }),
    ...(mode !== 'Normal' && { mode }),
    ...(!defaultBalancing && { loadBalancing: { strategy: lb.strategy, stickySessions: lb.stickySessions } }),
  });
}

function startSettings(platform: KycPlatform): Record<string, string> {
  return { [COMPONENTS_KEY]: desiredComponentNames(platform.spec).join(',') };
}

export function configData(platform: KycPlatform, activeColor?: ActiveColor): Record<string, string> {
  return { ...startSettings(platform), [LIVE_SETTINGS_KEY]: liveSettings(platform, activeColor) };
}

function digest(data: Record<string, string>): string {
  const canonical = JSON.stringify(
    Object.keys(data)
      .sort()
      .map((k) => [k, data[k]]),
  );
  // The first 8 bytes' hex, not a slice of the whole hex (a slice keeps its parent alive).
  return createHash('sha256').update(canonical).digest().toString('hex', 0, 8);
}

/** A short, stable digest of the settings read at start (keys in a fixed order): the pod templates carry it. */
export function configHash(platform: KycPlatform): string {
  return digest(startSettings(platform));
}

/** A short, stable digest of the live settings: the operator marks each pod with it once the ConfigMap holds them. */
export function liveSettingsDigest(platform: KycPlatform, activeColor?: ActiveColor): string {
  return digest({ [LIVE_SETTINGS_KEY]: liveSettings(platform, activeColor) });
}

/** The same digest, of the live settings a rendered ConfigMap holds (whichever colour the pass made active). */
export function configMapLiveSettingsDigest(configMap: KubeObject): string | undefined {
  const text = (configMap.data as Record<string, string> | undefined)?.[LIVE_SETTINGS_KEY];
  return text === undefined ? undefined : digest({ [LIVE_SETTINGS_KEY]: text });
}

export function renderConfigMap(platform: KycPlatform, activeColor?: ActiveColor): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: unversionedObjectMeta(platform, configMapName(platform), 'platform'),
    data: configData(platform, activeColor),
  };
}
