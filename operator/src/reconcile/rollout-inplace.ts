// The in-place rollout: one Deployment per component, rolled to the new version by Kubernetes itself
// (its RollingUpdate strategy, render/deployment.ts). Nothing to plan, nothing goes first, nothing to
// add to the status: the platform is as ready as its Deployments.
import { componentOf } from './resources.js';
import type { RolloutPass, RolloutStrategy } from './rollout.js';

const IN_PLACE_PASS: RolloutPass = {
  renderStamp: undefined,
  requeueAfterMs: undefined,
  render: (base) => base,
  firstInPass: () => [],
  firstApplied: () => undefined,
  components: (desired, live) =>
    desired.flatMap((object) => {
      const component = object.kind === 'Deployment' ? componentOf(object) : undefined;
      return component ? [{ name: component, deployment: live(object.metadata.name) }] : [];
    }),
  statusView: (platform) => platform,
  status: (computed) => computed,
  finish: () => Promise.resolve(),
};

export const inPlaceRollout: RolloutStrategy = {
  plan: () => IN_PLACE_PASS,
};
