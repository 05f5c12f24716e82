import { describe, expect, it } from '@jest/globals';
import { featureFlagsOf } from '../api/defaults.js';
import { platform } from '../api/fixtures.js';
import { liveSettingsDigest, renderConfigMap } from '../render/configmap.js';
import { ApiError, type KubeResource } from '../runtime/kube.js';
import { activeColorChanged, announceLiveSettings, flagsChanged, podsToMark } from './live-settings.js';

const pod = (name: string, annotations: Record<string, string> = {}, deletionTimestamp?: string): KubeResource => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'kyc', annotations, ...(deletionTimestamp ? { deletionTimestamp } : {}) },
});

/** A client that lists the given pods and records merge patches; a name in `missing` answers 404, in `broken` 500. */
function fakeClient(pods: KubeResource[], { missing = [] as string[], broken = [] as string[] } = {}) {
  const patches: { namespace: string; name: string; patch: unknown }[] = [];
  const selectors: (string | undefined)[] = [];
  return {
    patches,
    selectors,
    list: <T extends KubeResource>(_type: unknown, _namespace: string, options: { labelSelector?: string } = {}) => {
      selectors.push(options.labelSelector);
      return Promise.resolve({ items: pods as T[], resourceVersion: '1' });
    },
    mergePatch: <T extends KubeResource>(_type: unknown, namespace: string, name: string, patch: unknown) => {
      if (missing.includes(name)) return Promise.reject(new ApiError('not found', 404));
      if (broken.includes(name)) return Promise.reject(new ApiError('internal error', 500));
      patches.push({ namespace, name, patch });
      return Promise.resolve({} as T);
    },
  };
}

describe('live settings announced to the running pods', () => {
  const p = platform({ featureFlags: { 'automatic-checks': false } });
  const digest = liveSettingsDigest(p);

  it('counts the flags as changed until status holds exactly the flags in force', () => {
    const inForce = featureFlagsOf(p.spec);
    expect(flagsChanged(undefined, inForce)).toBe(true);
    expect(flagsChanged({ ...inForce, 'automatic-checks': true }, inForce)).toBe(true);
    expect(flagsChanged({ ...inForce }, inForce)).toBe(false);
  });

  it('marks only the pods that do not carry the digest yet, and never a terminating one', () => {
    const pods = [
      pod('fresh', { 'kyc.dev/live-settings': digest }),
      pod('stale', { 'kyc.dev/live-settings': 'old' }),
      pod('unmarked'),
      pod('leaving', {}, '2026-12-05T12:00:00Z'),
    ];
    expect(podsToMark(pods, digest)).toEqual(['stale', 'unmarked']);
  });

  it("patches only the annotation of the platform's pods, selected by instance and app name", async () => {
    const client = fakeClient([pod('a'), pod('b', { 'kyc.dev/live-settings': digest })]);
    await expect(announceLiveSettings(client, p, digest)).resolves.toBe(1);
    expect(client.selectors).toEqual(['app.kubernetes.io/instance=acme,app.kubernetes.io/name=kyc-platform']);
    expect(client.patches).toEqual([
      { namespace: p.metadata.namespace, name: 'a', patch: { metadata: { annotations: { 'kyc.dev/live-settings': digest } } } },
    ]);
  });

  it('skips a pod deleted meanwhile, and fails the pass on any other error so it is retried', async () => {
    await expect(announceLiveSettings(fakeClient([pod('gone'), pod('b')], { missing: ['gone'] }), p, digest)).resolves.toBe(1);
    await expect(announceLiveSettings(fakeClient([pod('a'), pod('b')], { broken: ['a'] }), p, digest)).rejects.toThrow(
      /announce the live settings to pod .*\/a/,
    );
  });
});

describe('activeColorChanged (a blue-green switch is announced like a flag)', () => {
  const p = platform({});
  it('when the rendered colour differs from the one status recorded, then the pods must be told', () => {
    expect(activeColorChanged(renderConfigMap(p, 'green'), 'blue')).toBe(true);
    expect(activeColorChanged(renderConfigMap(p, 'blue'), undefined)).toBe(true); // the migration's switch from the single Deployments
  });

  it('when it is the same, or there is no blue-green, then not', () => {
    expect(activeColorChanged(renderConfigMap(p, 'green'), 'green')).toBe(false);
    expect(activeColorChanged(renderConfigMap(p, 'legacy'), undefined)).toBe(false);
    expect(activeColorChanged(renderConfigMap(p), 'blue')).toBe(false);
    expect(activeColorChanged(undefined, 'blue')).toBe(false);
  });

  it('the digest announced is the rendered one, so a switch marks the pods again', async () => {
    const client = fakeClient([pod('acme-kyc-1', { 'kyc.dev/live-settings': liveSettingsDigest(p) })]);
    expect(await announceLiveSettings(client, p, liveSettingsDigest(p, 'green'))).toBe(1);
  });
});
