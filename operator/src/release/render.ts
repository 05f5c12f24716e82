// The objects of a blue-green platform: renderPlatform's output with the single Deployment, Service and
// PodDisruptionBudget of each component replaced by the colours the release plan asks for, the active,
// preview and colour Services, and each HPA pointed at the active colour's Deployment (the HPA keeps
// its name, so its history survives a switch). Pure.
import { COMPONENTS, type ComponentName } from '../api/components.js';
import { desiredComponentNames } from '../api/defaults.js';
import type { KycPlatform } from '../api/types.js';
import { renderConfigMap } from '../render/configmap.js';
import { renderColorDeployment, renderDeployment } from '../render/deployment.js';
import { colorObjectName, componentObjectName } from '../render/meta.js';
import { renderPodDisruptionBudget } from '../render/pdb.js';
import {
  renderActiveService,
  renderColorHeadlessService,
  renderColorService,
  renderHeadlessService,
  renderPreviewService,
} from '../render/service.js';
import type { KubeObject } from '../render/types.js';
import { atVersion } from '../render/meta.js';
import { COLORS, type ReleasePlan } from './model.js';

/** The gateway's upstreams: the components that get a Service per colour. */
const UPSTREAMS: readonly ComponentName[] = COMPONENTS.filter((c) => c !== 'gateway');

const REPLACED_KINDS = new Set(['Deployment', 'Service', 'PodDisruptionBudget']);

/**
 * @param base renderPlatform(platform)
 * @param exists whether a Deployment of this name exists (a colour that is only being scaled to zero is
 *   not created for that)
 */
export function renderBlueGreen(
  platform: KycPlatform,
  plan: ReleasePlan,
  base: readonly KubeObject[],
  exists: (deploymentName: string) => boolean,
): KubeObject[] {
  const components = desiredComponentNames(platform.spec);
  const activeColor = plan.active === 'legacy' ? undefined : plan.active;
  const deployments: KubeObject[] = [];
  for (const color of COLORS) {
    const target = plan.colors[color];
    if (!target) continue;
    for (const component of components) {
      if (!target.create && !exists(colorObjectName(platform, component, color))) continue;
      deployments.push(
        renderColorDeployment(platform, component, { color, version: target.version, replicas: target.replicas[component] }),
      );
    }
  }
  if (plan.legacy) {
    const legacy = atVersion(platform, plan.legacy.version);
    // Only while the old Deployments still exist: they are never created again.
    for (const component of components)
      if (exists(componentObjectName(platform, component))) deployments.push(renderDeployment(legacy, component));
  }
  const services = components.flatMap((component) => [
    renderActiveService(platform, component, activeColor),
    renderPreviewService(platform, component, plan.preview),
    ...(UPSTREAMS.includes(component)
      ? COLORS.flatMap((color) => [renderColorService(platform, component, color), renderColorHeadlessService(platform, component, color)])
      : []),
    // The single gateway Deployment of a migration still resolves the colourless headless Service.
    ...(UPSTREAMS.includes(component) && plan.legacy ? [renderHeadlessService(platform, component)] : []),
  ]);
  const pdbs = components.map((component) => renderPodDisruptionBudget(platform, component, activeColor));
  const target = (component: ComponentName): string =>
    activeColor ? colorObjectName(platform, component, activeColor) : componentObjectName(platform, component);
  // The ConfigMap's live settings name the plan's active colour: only its pods consume and sweep (docs/releases.md).
  const kept = base
    .filter((o) => !REPLACED_KINDS.has(o.kind))
    .map((o) =>
      o.kind === 'HorizontalPodAutoscaler' || o.kind === 'ScaledObject'
        ? followActive(o, components, target)
        : o.kind === 'ConfigMap'
          ? renderConfigMap(platform, plan.active)
          : o,
    );
  // renderPlatform's order: ServiceAccounts and the ConfigMap first, then Services, Deployments, PDBs, the rest.
  const firstWave = kept.filter((o) => o.kind === 'ServiceAccount' || o.kind === 'ConfigMap');
  const rest = kept.filter((o) => o.kind !== 'ServiceAccount' && o.kind !== 'ConfigMap');
  return [...firstWave, ...services, ...deployments, ...pdbs, ...rest];
}

/** The HPA (or KEDA ScaledObject) of a component scales the active colour's Deployment. */
function followActive(hpa: KubeObject, components: readonly ComponentName[], target: (c: ComponentName) => string): KubeObject {
  const spec = hpa.spec as { scaleTargetRef?: { name?: string } } | undefined;
  const component = components.find((c) => hpa.metadata.labels?.['app.kubernetes.io/component'] === c);
  if (!component || !spec?.scaleTargetRef) return hpa;
  return { ...hpa, spec: { ...spec, scaleTargetRef: { ...spec.scaleTargetRef, name: target(component) } } };
}
