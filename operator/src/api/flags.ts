// The feature flags of a platform: the only names spec.featureFlags accepts, what each one switches, and
// which component acts on it. The services re-read them while they run (docs/api.md, "Feature flags"), so
// an admin can switch a feature off in an incident without a restart or a release.
import type { ComponentName } from './components.js';

export interface FeatureFlag {
  /** What the flag switches, as docs/api.md and the CRD show it. */
  effect: string;
  /** The component that reads it. */
  component: ComponentName;
}

/** Every flag is on unless spec.featureFlags turns it off. */
export const FEATURE_FLAGS = {
  'new-applications': {
    component: 'kyc',
    effect:
      'Customers may start new applications. Off: POST /applications answers 503 with Retry-After and a problem saying new applications are paused; drafts already started can still be completed and submitted.',
  },
  'document-upload': {
    component: 'kyc',
    effect: 'Customers may upload documents. Off: document uploads answer 503 with Retry-After; documents already uploaded stay readable.',
  },
  'automatic-checks': {
    component: 'kyc',
    effect:
      'Submitted applications are checked automatically (identity checks, risk). Off: the checks consumer pauses and submitted applications wait in Kafka; they are checked in order when the flag is back on.',
  },
  'sanctions-screening': {
    component: 'kyc',
    effect:
      'Automatic checks include sanctions and PEP screening. Off: screening is skipped and no application is approved automatically: every checked application goes to manual review with the reason that screening was off.',
  },
  'notifications-email': {
    component: 'notification',
    effect: 'Notifications go out by e-mail. Off: e-mails are not sent; each one is recorded as suppressed in the notification history.',
  },
  'notifications-sms': {
    component: 'notification',
    effect: 'Notifications go out by SMS. Off: SMS messages are not sent; each one is recorded as suppressed in the notification history.',
  },
  'analytics-ingestion': {
    component: 'analytics',
    effect:
      'Analytics ingests platform events. Off: the analytics consumer pauses; events wait in Kafka and are counted when the flag is back on.',
  },
} as const satisfies Record<string, FeatureFlag>;

export type FeatureFlagName = keyof typeof FEATURE_FLAGS;

export const FEATURE_FLAG_NAMES = Object.keys(FEATURE_FLAGS).sort() as FeatureFlagName[];

export function isFeatureFlag(name: string): name is FeatureFlagName {
  return Object.hasOwn(FEATURE_FLAGS, name);
}
