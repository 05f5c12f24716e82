// A feature flag switched on the running platform (docs/api.md, "Feature flags"): spec.featureFlags
// `new-applications: false` reaches the kyc pods through the platform ConfigMap's live-settings file
// within seconds and POST /applications through the gateway answers 503 + Retry-After; no pod restarts
// (same uids, same restart counts); status.featureFlags shows the flag in force; set back, it answers
// again. The probe sends a body without consent: 422 while new applications are accepted (nothing is
// created, so the customer's cap on open drafts is never reached), 503 while they are paused.
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  CONSENT,
  customerOfReadyPlatform,
  eventually,
  getPlatform,
  patchPlatformSpec,
  podChangesSince,
  podSnapshot,
  request,
} from './support.js';

const FLAG = 'new-applications';

async function setFlag(value: boolean | null): Promise<void> {
  await patchPlatformSpec({ featureFlags: { [FLAG]: value } });
}

async function flagInStatus(): Promise<boolean | undefined> {
  const platform = (await getPlatform()) as { status?: { featureFlags?: Record<string, boolean> } };
  return platform.status?.featureFlags?.[FLAG];
}

describe('a feature flag switched on the running platform', () => {
  const customer = customerOfReadyPlatform('flags');
  const { api } = customer;
  // One probe at a time, at most one a second: the gateway's breaker counts an upstream 503 as a failure
  // (5 requests with half of them failing in 10 s open it), and only this test's answers should be seen.
  const probe = () => request<{ type?: string; detail?: string }>(api('/applications'), { body: {}, token: customer.token });

  afterAll(async () => {
    await setFlag(null).catch(() => undefined);
  });

  it('when new-applications is switched off, then POST /applications answers 503 within seconds with no pod restarted, and 2xx again once it is back on', async () => {
    expect((await probe()).status).toBe(422);
    const before = await podSnapshot();

    const switched = Date.now();
    await setFlag(false);
    const paused = await eventually(
      'POST /applications answering 503 feature-paused',
      async () => {
        const answer = await probe();
        return answer.status === 503 && answer.body.type === 'https://kyc.dev/problems/feature-paused' ? answer : undefined;
      },
      30_000,
      1000,
    );
    const offAfterMs = Date.now() - switched;
    expect(Number(paused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(paused.body.detail).toMatch(/new applications are paused/);
    expect(
      await eventually(
        'status.featureFlags showing the flag off',
        async () => ((await flagInStatus()) === false ? true : undefined),
        30_000,
        500,
      ),
    ).toBe(true);
    expect(await podChangesSince(before)).toEqual([]);

    const restored = Date.now();
    await setFlag(null);
    expect(
      await eventually(
        'status.featureFlags showing the flag on',
        async () => ((await flagInStatus()) === true ? true : undefined),
        30_000,
        500,
      ),
    ).toBe(true);
    await eventually('POST /applications accepted again', async () => ((await probe()).status === 422 ? true : undefined), 30_000, 1500);
    const onAfterMs = Date.now() - restored;
    const created = await request<{ state: string }>(api('/applications'), { body: CONSENT, token: customer.token, idempotent: true });
    expect([created.status, created.body.state]).toEqual([201, 'draft']);
    expect(await podChangesSince(before)).toEqual([]);
    console.log(`feature flag ${FLAG}: off in force through the gateway after ${offAfterMs} ms, back on after ${onAfterMs} ms`);
    // "Within seconds": the kubelet refreshes the file at once on the operator's pod annotation, the service re-reads it every second.
    expect(offAfterMs).toBeLessThan(15_000);
  }, 180_000);
});
