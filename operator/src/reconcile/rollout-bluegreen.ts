// The blue-green rollout: the release controller (release/controller.ts) takes one step of the state
// machine per pass (release/bluegreen.ts), the render holds the colours that step asks for, a switch
// moves the active Services before anything else, and the status carries the release. A platform
// without spec.release (strategy InPlace) rolls in place, whatever strategy the operator was given.
import type { ReleaseController, ReleasePass } from '../release/controller.js';
import { inPlaceRollout } from './rollout-inplace.js';
import type { RolloutPass, RolloutPlatform, RolloutStrategy } from './rollout.js';

export function blueGreenRollout(release: ReleaseController): RolloutStrategy {
  return {
    plan(key, platform, now) {
      const pass = release.plan(key, platform, now);
      return pass ? blueGreenPass(release, platform, pass) : inPlaceRollout.plan(key, platform, now);
    },
  };
}

function blueGreenPass(release: ReleaseController, platform: RolloutPlatform, pass: ReleasePass): RolloutPass {
  return {
    renderStamp: pass.step.plan,
    requeueAfterMs: pass.step.requeueAfterMs,
    render: (base) => release.render(platform, pass, base),
    firstInPass: (desired) => release.firstInPass(platform, pass, desired),
    firstApplied: () => release.firstApplied(pass),
    // The active colour's Deployments (or the single ones before the migration), whatever this pass rendered.
    components: (_desired, live) => release.statusComponents(platform, pass, live),
    statusView: (view) => release.statusView(view, pass),
    status: (computed, now) => release.status(platform, pass, computed, now),
    finish: () => release.finish(platform, pass),
  };
}
