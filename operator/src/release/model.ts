// The vocabulary of a blue-green release: colours, phases, what the state machine observes and what it
// asks the renderer for. Pure types and small helpers, no I/O.
import type { ComponentName } from '../api/components.js';
import { releaseFor } from '../api/defaults.js';
import type { KycPlatformSpec, ReleaseStatus } from '../api/types.js';
import type { DeploymentLike } from '../api/observed.js';

import type { Color } from '../render/meta.js';
export type { Color };
export type ReleasePhase = NonNullable<ReleaseStatus['phase']>;
export const COLORS: readonly Color[] = ['blue', 'green'];

export { COLOR_LABEL, VERSION_ANNOTATION } from '../render/meta.js';
export const PROMOTE_ANNOTATION = 'kyc.dev/promote';
export const ABORT_ANNOTATION = 'kyc.dev/abort';

export const CONDITION_RELEASE_PROGRESSING = 'ReleaseProgressing';
export const CONDITION_RELEASE_FAILED = 'ReleaseFailed';

export function otherColor(color: Color): Color {
  return color === 'blue' ? 'green' : 'blue';
}

/** True when the platform releases blue-green (spec.release present with strategy BlueGreen). */
export function isBlueGreen(spec: KycPlatformSpec): boolean {
  return releaseFor(spec).strategy === 'BlueGreen';
}

/** A live Deployment as the state machine reads it. */
export type ObservedDeployment = DeploymentLike & { metadata?: { generation?: number; annotations?: Record<string, string> } };

/** The live Deployments of a platform, by colour and component; `legacy` is `<platform>-<component>`. */
export interface ObservedDeployments {
  blue: Partial<Record<ComponentName, ObservedDeployment>>;
  green: Partial<Record<ComponentName, ObservedDeployment>>;
  legacy: Partial<Record<ComponentName, ObservedDeployment>>;
}

/**
 * What one colour should look like. `replicas[c]` undefined: leave the count to its owner (the HPA for
 * an autoscaled active colour, or whatever the old colour had); the renderer then falls back to the
 * spec's fixed count for components that are not autoscaled.
 */
export interface ColorTarget {
  version: string;
  replicas: Partial<Record<ComponentName, number>>;
  /** False for a colour that is only being scaled to zero: absent, it is not created for that. */
  create: boolean;
}

/** What the renderer builds for a blue-green platform. */
export interface ReleasePlan {
  /** The colour every active Service `<platform>-<component>` selects; legacy: no colour in the selector. */
  active: Color | 'legacy';
  /** The colour the preview Services `<platform>-<component>-preview` select. */
  preview: Color;
  colors: Partial<Record<Color, ColorTarget>>;
  /** Keep the pre-blue-green Deployments `<platform>-<component>` at this version (migration, rollback window). */
  legacy?: { version: string };
}

export interface ReleaseEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** The outcome of one smoke-check round against the preview Services. */
export interface SmokeResult {
  ok: boolean;
  /** The version the round checked (a result for an older preview is ignored). */
  version: string;
  message: string;
}

export function parseTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
