// A release: spec.version changes to another tag of the image built from the same tree
// (E2E_ROLL_VERSION; `make e2e` tags and loads it). The operator rolls the real pods of every component
// to the new image, the gateway's X-KYC-Version turns to the new version, and a client calling
// through the gateway during the roll sees every request answered (one retry allowed). Afterwards
// the platform goes back to the version it had.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { NAMESPACE, PLATFORM, core, customerToken, eventually, gatewayUrl, getPlatform, patchPlatformVersion, request, startTraffic, waitReady } from './support.js';

describe('a change of spec.version', () => {
  let base = '';
  let original = '';
  let target = '';
  const api = (path: string): string => `${base}/api/v1${path}`;

  beforeAll(async () => {
    original = (await getPlatform()).spec.version;
    target = process.env.E2E_ROLL_VERSION || `${original}-e2e`;
    await waitReady(original);
    base = await gatewayUrl();
  }, 720_000);

  afterAll(async () => {
    if (original && (await getPlatform()).spec.version !== original) {
      await patchPlatformVersion(original);
      await waitReady(original);
    }
  }, 720_000);

  it('rolls every real pod to the new image and the gateway answers with the new X-KYC-Version', async () => {
    expect(target).not.toBe(original);
    const token = await customerToken(api, 'rollout');
    expect((await request(api('/auth/me'), { token })).headers.get('x-kyc-version')).toBe(original);
    const traffic = startTraffic(api('/auth/me'), token);

    await patchPlatformVersion(target);
    const platform = await waitReady(target);
    expect(platform.status?.activeVersion).toBe(target);
    await eventually('X-KYC-Version of the new release', async () => (await request(api('/auth/me'), { token })).headers.get('x-kyc-version') === target, 60_000, 500);
    const report = await traffic.stop();

    const pods = (await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: `app.kubernetes.io/instance=${PLATFORM}` })).items.filter(
      (p) => !p.metadata?.deletionTimestamp,
    );
    expect(pods.length).toBeGreaterThanOrEqual(5);
    for (const pod of pods) {
      expect(pod.spec?.containers[0]?.image).toMatch(new RegExp(`:${target.replace(/[.]/g, '\\.')}$`));
      expect(pod.status?.containerStatuses?.[0]?.ready).toBe(true);
    }
    expect(report.failed).toEqual([]);
    expect([...report.versions.keys()]).toContain(target);
  }, 900_000);
});
