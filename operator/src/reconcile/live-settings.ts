// Telling the running pods that the live settings changed (docs/api.md, "Feature flags").
//
// The services read the live settings from the platform ConfigMap mounted as a file. The kubelet rewrites
// that file only when it syncs the pod: at its periodic sync (up to a minute) or at once when the pod object
// changes. So after the ConfigMap holds new settings, the operator sets the settings' digest as an annotation
// on each pod of the platform that does not carry it yet: a metadata-only patch that restarts nothing and
// brings the file up to date within about a second. Pods created later mount the new content from the start.
import type { FeatureFlagName } from '../api/flags.js';
import type { KycPlatform } from '../api/types.js';
import { LIVE_SETTINGS_KEY } from '../render/configmap.js';
import { LIVE_SETTINGS_ANNOTATION, platformPodSelector } from '../render/meta.js';
import { isNotFound, type KubeClient, type KubeResource } from '../runtime/kube.js';
import { POD } from './resources.js';

type Flags = Partial<Record<FeatureFlagName, boolean>>;

/** Whether the flags last announced (status.featureFlags) differ from those in force now. */
export function flagsChanged(announced: Flags | undefined, inForce: Record<FeatureFlagName, boolean>): boolean {
  if (!announced) return true;
  const names = new Set([...Object.keys(announced), ...Object.keys(inForce)]) as Set<FeatureFlagName>;
  for (const name of names) if (announced[name] !== inForce[name]) return true;
  return false;
}

/**
 * Whether the live settings a pass rendered name another active colour than the one status last recorded: a
 * blue-green switch changes nothing else in them, and the pods must hear of it at once (docs/releases.md,
 * "Blue-green isolation"). A platform without blue-green renders no colour: never.
 */
export function activeColorChanged(configMap: KubeResource | undefined, recorded: string | undefined): boolean {
  const text = (configMap as { data?: Record<string, string> } | undefined)?.data?.[LIVE_SETTINGS_KEY];
  if (text === undefined) return false;
  const rendered = (JSON.parse(text) as { activeColor?: string }).activeColor;
  return rendered !== undefined && rendered !== (recorded ?? 'legacy');
}

/** The pods that have not been told about this digest yet (terminating pods are left alone). */
export function podsToMark(pods: readonly KubeResource[], digest: string): string[] {
  return pods
    .filter((pod) => !pod.metadata.deletionTimestamp && pod.metadata.annotations?.[LIVE_SETTINGS_ANNOTATION] !== digest)
    .map((pod) => pod.metadata.name);
}

/**
 * Marks every pod of the platform with `digest`, that of the live settings this pass put in the ConfigMap
 * (configMapLiveSettingsDigest: under blue-green they name the plan's active colour, so no other
 * computation of it can disagree with what the pods read); returns how many it marked. A pod deleted
 * meanwhile is skipped (404); any other failure throws, so the pass is retried and status keeps the flags
 * it last announced.
 */
export async function announceLiveSettings(
  client: Pick<KubeClient, 'list' | 'mergePatch'>,
  platform: KycPlatform,
  digest: string,
): Promise<number> {
  const namespace = platform.metadata.namespace ?? '';
  const selector = Object.entries(platformPodSelector(platform))
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  const { items } = await client.list<KubeResource>(POD, namespace, { labelSelector: selector });
  let marked = 0;
  for (const name of podsToMark(items, digest)) {
    try {
      await client.mergePatch(POD, namespace, name, { metadata: { annotations: { [LIVE_SETTINGS_ANNOTATION]: digest } } });
      marked += 1;
    } catch (error) {
      if (isNotFound(error)) continue;
      throw new Error(`announce the live settings to pod ${namespace}/${name}`, { cause: error });
    }
  }
  return marked;
}
