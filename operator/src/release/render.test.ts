import { describe, expect, it } from '@jest/globals';
import { renderPlatform } from '../render/index.js';
import { platform } from '../api/fixtures.js';
import type { KubeObject } from '../render/types.js';
import { renderBlueGreen } from './render.js';
import type { ReleasePlan } from './model.js';

const acme = platform({ version: '2.0.0', profile: 'staging', release: {} });
const find = (objects: KubeObject[], kind: string, name: string): KubeObject & { spec: Record<string, unknown> } => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found as KubeObject & { spec: Record<string, unknown> };
};
const plan: ReleasePlan = {
  active: 'blue',
  preview: 'green',
  colors: {
    blue: { version: '1.0.0', replicas: {}, create: true },
    green: { version: '2.0.0', replicas: { kyc: 3, gateway: 3, auth: 3, notification: 3, analytics: 3, frontend: 3 }, create: true },
  },
};

describe('renderBlueGreen', () => {
  const objects = renderBlueGreen(acme, plan, renderPlatform(acme), () => false);

  it('renders one Deployment per colour and component, each with its colour in the selector and its own version', () => {
    const deployments = objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
    expect(deployments).toHaveLength(12);
    expect(deployments).not.toContain('acme-kyc');
    const blue = find(objects, 'Deployment', 'acme-kyc-blue');
    expect(blue.spec.selector).toEqual({
      matchLabels: { 'app.kubernetes.io/instance': 'acme', 'app.kubernetes.io/component': 'kyc', 'kyc.dev/color': 'blue' },
    });
    expect(blue.metadata.annotations?.['kyc.dev/version']).toBe('1.0.0');
    expect(JSON.stringify(blue.spec.template)).toContain('/workloads:1.0.0');
    expect(blue.spec.replicas).toBeUndefined();
    const green = find(objects, 'Deployment', 'acme-kyc-green');
    expect(green.spec.replicas).toBe(3);
    expect(JSON.stringify(green.spec.template)).toContain(':2.0.0');
  });

  it('points the gateway of each colour at the headless Services of the same colour (its pods only)', () => {
    const env = JSON.stringify(find(objects, 'Deployment', 'acme-gateway-green').spec.template);
    expect(env).toContain('https://acme-kyc-green-hl:8080');
    expect(env).not.toContain('https://acme-kyc-hl:8080');
    // The web app switches with the API: the green gateway serves the green frontend's build.
    expect(env).toContain('{"name":"UPSTREAM_FRONTEND","value":"https://acme-frontend-green-hl:8080"}');
    expect(find(objects, 'Service', 'acme-kyc-green-hl').spec).toMatchObject({
      clusterIP: 'None',
      publishNotReadyAddresses: false,
      selector: { 'kyc.dev/color': 'green' },
    });
    expect(find(objects, 'Service', 'acme-kyc-blue-hl').spec.selector).toMatchObject({ 'kyc.dev/color': 'blue' });
    expect(objects.some((o) => o.metadata.name === 'acme-kyc-hl')).toBe(false);
    expect(objects.some((o) => o.metadata.name === 'acme-gateway-green-hl')).toBe(false);
  });

  it('switches the active Services with the plan, and keeps the Service names', () => {
    expect(find(objects, 'Service', 'acme-kyc').spec.selector).toMatchObject({ 'kyc.dev/color': 'blue' });
    expect(find(objects, 'Service', 'acme-kyc-preview').spec.selector).toMatchObject({ 'kyc.dev/color': 'green' });
    expect(find(objects, 'Service', 'acme-kyc-green').spec.selector).toMatchObject({ 'kyc.dev/color': 'green' });
    expect(objects.some((o) => o.metadata.name === 'acme-gateway-blue' && o.kind === 'Service')).toBe(false);
    const switched = renderBlueGreen(acme, { ...plan, active: 'green', preview: 'blue' }, renderPlatform(acme), () => false);
    for (const c of ['gateway', 'kyc', 'auth', 'notification', 'analytics']) {
      expect(find(switched, 'Service', `acme-${c}`).spec.selector).toMatchObject({ 'kyc.dev/color': 'green' });
    }
  });

  it('names the active colour in the live settings (only its pods consume and sweep), legacy during a migration, and switches it with the Services', () => {
    const activeColor = (list: KubeObject[]) =>
      (
        JSON.parse((find(list, 'ConfigMap', 'acme-config').data as Record<string, string>)['live-settings.json'] ?? '{}') as {
          activeColor?: string;
        }
      ).activeColor;
    expect(activeColor(objects)).toBe('blue');
    expect(activeColor(renderBlueGreen(acme, { ...plan, active: 'green', preview: 'blue' }, renderPlatform(acme), () => false))).toBe(
      'green',
    );
    expect(
      activeColor(renderBlueGreen(acme, { ...plan, active: 'legacy', legacy: { version: '1.0.0' } }, renderPlatform(acme), () => true)),
    ).toBe('legacy');
    expect(objects.filter((o) => o.kind === 'ConfigMap')).toHaveLength(1);
  });

  it('points the HPA (same name) and the PDB at the active colour', () => {
    expect(find(objects, 'HorizontalPodAutoscaler', 'acme-kyc').spec.scaleTargetRef).toMatchObject({
      kind: 'Deployment',
      name: 'acme-kyc-blue',
    });
    expect(
      (find(objects, 'PodDisruptionBudget', 'acme-kyc').spec.selector as { matchLabels: Record<string, string> }).matchLabels[
        'kyc.dev/color'
      ],
    ).toBe('blue');
  });

  it('keeps the single Deployments during a migration only while they exist, and does not create a colour that is only scaled to zero', () => {
    const migrating: ReleasePlan = {
      active: 'legacy',
      preview: 'blue',
      legacy: { version: '1.0.0' },
      colors: { blue: { version: '1.0.0', replicas: {}, create: true } },
    };
    const withLegacy = renderBlueGreen(acme, migrating, renderPlatform(acme), (name) => name === 'acme-kyc');
    expect(find(withLegacy, 'Deployment', 'acme-kyc').spec.selector).toEqual({
      matchLabels: { 'app.kubernetes.io/instance': 'acme', 'app.kubernetes.io/component': 'kyc' },
    });
    expect(withLegacy.some((o) => o.kind === 'Deployment' && o.metadata.name === 'acme-auth')).toBe(false);
    expect(find(withLegacy, 'Service', 'acme-kyc').spec.selector).not.toHaveProperty(['kyc.dev/color']);
    // The single gateway Deployment still resolves the colourless headless Service.
    expect(find(withLegacy, 'Service', 'acme-kyc-hl').spec.selector).not.toHaveProperty(['kyc.dev/color']);
    expect(find(withLegacy, 'HorizontalPodAutoscaler', 'acme-kyc').spec.scaleTargetRef).toMatchObject({ name: 'acme-kyc' });
    const idle: ReleasePlan = {
      active: 'blue',
      preview: 'green',
      colors: { blue: plan.colors.blue, green: { version: '1.0.0', replicas: { kyc: 0 }, create: false } },
    };
    const rendered = renderBlueGreen(acme, idle, renderPlatform(acme), (name) => name === 'acme-kyc-green');
    expect(find(rendered, 'Deployment', 'acme-kyc-green').spec.replicas).toBe(0);
    expect(rendered.some((o) => o.metadata.name === 'acme-auth-green' && o.kind === 'Deployment')).toBe(false);
  });

  it('is pure: the same plan renders the same objects', () => {
    expect(renderBlueGreen(acme, plan, renderPlatform(acme), () => false)).toEqual(objects);
  });
});
