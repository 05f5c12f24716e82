// A preview that can never start: its pods refuse to run beside the active version (a migration that
// contracts the schema, docs/releases.md "Schema changes: expand/contract"). The workloads write the
// reason to their termination message; this reads it from the preview pods so the release aborts at
// once with that reason, instead of waiting out its progress deadline and naming only the deadline.
// Other start-up failures (a dependency away) are not refusals: a restart may cure them.
import { labelValue, COLOR_LABEL } from '../render/meta.js';
import type { Color } from './model.js';

/** What workloads/migrate's check puts at the head of its reason (workloads/shared/migrate.ts). */
export const REFUSAL_MARKER = 'refused: migration ';

interface Terminated {
  message?: string;
}
interface ContainerStatusLike {
  state?: { terminated?: Terminated };
  lastState?: { terminated?: Terminated };
}
export interface PodLike {
  metadata?: { labels?: Record<string, string> };
  status?: { containerStatuses?: ContainerStatusLike[]; initContainerStatuses?: ContainerStatusLike[] };
}

/** The refusal a preview pod of `color` at `version` stopped with, from its reason on; undefined if none did. */
export function previewRefusal(pods: readonly PodLike[], color: Color, version: string): string | undefined {
  const versionLabel = labelValue(version);
  for (const pod of pods) {
    const labels = pod.metadata?.labels ?? {};
    if (labels[COLOR_LABEL] !== color || labels['app.kubernetes.io/version'] !== versionLabel) continue;
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const status of statuses) {
      for (const message of [status.state?.terminated?.message, status.lastState?.terminated?.message]) {
        const at = message?.indexOf(REFUSAL_MARKER) ?? -1;
        if (message && at >= 0) return message.slice(at + 'refused: '.length, at + 'refused: '.length + 900).trim();
      }
    }
  }
  return undefined;
}
