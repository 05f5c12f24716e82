// promote, abort and rollback as the release model understands them (docs/releases.md, "Phases"): each
// becomes the one change the operator acts on — the annotation kyc.dev/promote=true or kyc.dev/abort=true,
// or spec.version set back — or a refusal that says why and what would work instead. Pure: the platform
// and the clock in, a decision out; cluster.ts sends the patch.
import type { KycPlatform, ReleaseStatus } from '../api/types.js';
import { ABORT_ANNOTATION, isBlueGreen, PROMOTE_ANNOTATION } from '../release/model.js';

export type RequestKind = 'promote' | 'abort' | 'rollback';

/** The change a request makes to the platform. */
export type PlatformChange =
  /** A merge patch setting the annotation to "true"; the operator removes it once acted upon. */
  | { kind: 'annotate'; annotation: string }
  /** A JSON patch that sets spec.version to `to` only if it still is `from` (no lost update). */
  | { kind: 'version'; from: string; to: string };

export type RequestDecision = { ok: true; change: PlatformChange; message: string } | { ok: false; message: string };

export function decideRequest(kind: RequestKind, platform: KycPlatform, now: Date): RequestDecision {
  const ref = `KycPlatform ${platform.metadata.namespace ?? ''}/${platform.metadata.name}`;
  const release = platform.status?.release;
  if (!isBlueGreen(platform.spec) || !release?.phase) {
    return refuse(
      kind === 'rollback'
        ? `${ref} is not released blue-green (spec.release): a RollingUpdate platform keeps no rollback target; set spec.version to the version to run`
        : `${ref} is not released blue-green (spec.release): there is no release to ${kind}`,
    );
  }
  const generation = platform.metadata.generation;
  const observed = platform.status?.observedGeneration;
  if (generation !== undefined && observed !== undefined && observed < generation) {
    return refuse(
      `${ref}: the operator has not acted on the latest spec yet (status describes generation ${observed}, spec is at ${generation}); try again in a moment`,
    );
  }
  switch (kind) {
    case 'promote':
      return promote(ref, platform, release);
    case 'abort':
      return abort(ref, release);
    case 'rollback':
      return rollback(ref, platform, release, now);
  }
}

function refuse(message: string): RequestDecision {
  return { ok: false, message };
}

function annotate(annotation: string, message: string): RequestDecision {
  return { ok: true, change: { kind: 'annotate', annotation }, message };
}

function promote(ref: string, platform: KycPlatform, release: ReleaseStatus): RequestDecision {
  const preview = `${release.previewColor ?? '?'} (version ${release.previewVersion ?? '?'})`;
  switch (release.phase) {
    case 'AwaitingPromotion':
      return annotate(PROMOTE_ANNOTATION, `${ref}: promotion requested; the operator switches every active Service to ${preview}`);
    case 'Deploying':
    case 'Verifying':
      // The annotation waits on the platform: the release model reads it in AwaitingPromotion.
      return annotate(
        PROMOTE_ANNOTATION,
        `${ref}: promotion requested ahead; the operator switches to ${preview} once the preview is Available and its smoke check passed (now ${release.phase})`,
      );
    case 'Aborted':
      if (platform.spec.version !== release.previewVersion) {
        return refuse(
          `${ref}: the aborted release was ${release.previewVersion ?? '?'} but spec.version is now ${platform.spec.version}; the operator releases that on its own`,
        );
      }
      return annotate(PROMOTE_ANNOTATION, `${ref}: retry requested; the operator releases version ${release.previewVersion ?? '?'} again`);
    case 'Switching':
      return refuse(`${ref}: already promoted, switching to ${preview}`);
    case 'ScalingDown':
      return refuse(
        `${ref}: already promoted, ${release.activeColor ?? '?'} serves ${release.activeVersion ?? '?'}; to undo: kubectl kyc rollback`,
      );
    default:
      return refuse(`${ref}: no release to promote (${release.phase}: ${release.message ?? ''})`);
  }
}

function abort(ref: string, release: ReleaseStatus): RequestDecision {
  switch (release.phase) {
    case 'Deploying':
    case 'Verifying':
    case 'AwaitingPromotion':
    case 'Switching':
      return annotate(
        ABORT_ANNOTATION,
        `${ref}: abort requested; the operator scales the preview ${release.previewColor ?? '?'} (version ${release.previewVersion ?? '?'}) down, ${release.activeColor ?? 'the current Deployments'} keep serving ${release.activeVersion ?? '?'}`,
      );
    case 'ScalingDown':
      return refuse(`${ref}: the active Services were switched already; to switch back: kubectl kyc rollback`);
    case 'Aborted':
      return refuse(
        `${ref}: the release of ${release.previewVersion ?? '?'} was aborted already (${release.failureReason ?? 'no reason recorded'})`,
      );
    default:
      return refuse(`${ref}: no release to abort (${release.phase}: ${release.message ?? ''})`);
  }
}

function rollback(ref: string, platform: KycPlatform, release: ReleaseStatus, now: Date): RequestDecision {
  const current = platform.spec.version;
  const setVersion = (to: string, message: string): RequestDecision =>
    to === current
      ? refuse(`${ref}: spec.version is ${current} already`)
      : { ok: true, change: { kind: 'version', from: current, to }, message };
  switch (release.phase) {
    case 'ScalingDown': {
      if (release.previousColor === 'legacy' || !release.previousVersion) {
        return refuse(`${ref}: rolling back to the Deployments from before blue-green is not offered (docs/releases.md, "Migration")`);
      }
      const due = Date.parse(release.scaleDownAt ?? '');
      const inWindow = !Number.isNaN(due) && now.getTime() < due;
      return setVersion(
        release.previousVersion,
        inWindow
          ? `${ref}: spec.version set back to ${release.previousVersion}; the operator switches every active Service back to ${release.previousColor ?? '?'} at once`
          : `${ref}: spec.version set back to ${release.previousVersion}; the rollback window closed at ${release.scaleDownAt ?? '?'}, so it is released as an ordinary blue-green release`,
      );
    }
    case 'Deploying':
    case 'Verifying':
    case 'AwaitingPromotion':
    case 'Switching':
    case 'Aborted':
      if (!release.activeVersion) return refuse(`${ref}: no active version recorded to go back to`);
      return setVersion(
        release.activeVersion,
        `${ref}: spec.version set back to ${release.activeVersion}; the release of ${release.previewVersion ?? '?'} is cancelled and ${release.activeColor ?? 'the current Deployments'} keep serving`,
      );
    default:
      return refuse(
        `${ref}: nothing to roll back to: the previous colour was scaled down${release.finishedAt ? ` at ${release.finishedAt}` : ''}; an older version is an ordinary release (set spec.version)`,
      );
  }
}
