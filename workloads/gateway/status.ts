// The public status of the platform (GET /api/v1/status, no token): how users learn that service is
// reduced and why their writes are refused (docs/api.md, "Degradation"). It says only what a user could
// learn by trying: the mode in force, the features that are off, and the version the gateway runs — no
// dependency names, hosts, pod counts or errors (docs/security.md, "The public status endpoint").
import { FEATURE_FLAG_NAMES, MODE_REDUCES } from '../shared/index.js';
import type { FeatureSwitches, ModeSource, ServiceMode } from '../shared/index.js';

export interface PublicStatus {
  mode: ServiceMode;
  /** What a forced mode reduces (writes, api), then the feature flags that are off, by name. */
  reducedFeatures: string[];
  version: string;
}

export function publicStatus(settings: ModeSource & FeatureSwitches, version: string): PublicStatus {
  const mode = settings.mode();
  return { mode, reducedFeatures: [...MODE_REDUCES[mode], ...FEATURE_FLAG_NAMES.filter((flag) => !settings.isOn(flag))], version };
}
