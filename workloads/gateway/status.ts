// The public status of the platform (GET /api/v1/status, no token): how users learn that service is
// reduced and why their writes are refused (docs/api.md, "Degradation"). It says only what a user could
// learn by trying: the mode in force, the features that are off or unavailable, and the version the gateway runs — no
// dependency names, hosts, pod counts or errors (docs/security.md, "The public status endpoint").
import { FEATURE_FLAG_NAMES, MODE_REDUCES } from '../shared/index.js';
import type { FeatureSwitches, ModeSource, ServiceMode } from '../shared/index.js';

export interface PublicStatus {
  mode: ServiceMode;
  /** What a forced mode reduces (writes, api), then the feature flags that are off, by name. */
  reducedFeatures: string[];
  version: string;
}

/** What users lose when an upstream cannot serve, in their words (the upstream's name is an internal). */
export const UPSTREAM_FEATURES: Readonly<Record<string, string>> = {
  kyc: 'applications',
  auth: 'accounts',
  notification: 'notifications',
  analytics: 'analytics',
};

/**
 * `reducedUpstreams`: the upstreams this gateway sees unable to serve now (Upstream.isReduced: no pod, breaker
 * open, or a dependency of theirs down), listed after the mode and the flags as the features users lose;
 * `servedReduced`: what upstreams that still answer said they serve reduced (Upstream.reducedFeatures, e.g.
 * `automatic-checks` while kyc parks applications), last. Each feature is named once.
 */
export function publicStatus(
  settings: ModeSource & FeatureSwitches,
  version: string,
  reducedUpstreams: readonly string[] = [],
  servedReduced: readonly string[] = [],
): PublicStatus {
  const mode = settings.mode();
  const unavailable = reducedUpstreams.map((name) => UPSTREAM_FEATURES[name]).filter((feature): feature is string => feature !== undefined);
  const features = [...MODE_REDUCES[mode], ...FEATURE_FLAG_NAMES.filter((flag) => !settings.isOn(flag)), ...unavailable, ...servedReduced];
  return { mode, reducedFeatures: [...new Set(features)], version };
}
