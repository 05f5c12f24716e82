// A reduced-functionality mode forced on the running platform (docs/api.md, "Degradation"):
// spec.degradation.mode ReadOnly reaches every pod through the live-settings file within seconds; a
// write through the gateway answers 503 + Retry-After (read-only-mode), a read is served, both carry
// KYC-Service-Mode, and the public GET /api/v1/status says ReadOnly; status and the Degraded condition
// say so; no pod restarts. Set back to Normal, writes are served again.
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

async function setMode(mode: 'Normal' | 'ReadOnly'): Promise<void> {
  await patchPlatformSpec({ degradation: { mode } });
}

interface PlatformView {
  status?: { degradationMode?: string; conditions?: { type: string; status: string; reason: string }[] };
}

describe('a degradation mode forced on the running platform', () => {
  const customer = customerOfReadyPlatform('mode');
  const { api } = customer;
  // A body without consent: 422 while writes are served (nothing is created), 503 while read-only.
  const write = () => request<{ type?: string }>(api('/applications'), { body: {}, token: customer.token });
  const status = () => request<{ mode: string; reducedFeatures: string[]; version: string }>(api('/status'));

  afterAll(async () => {
    await setMode('Normal').catch(() => undefined);
  });

  it('when ReadOnly is set, then within seconds writes answer 503 + Retry-After, reads and the status say ReadOnly, with no pod restarted; Normal again serves writes', async () => {
    expect((await write()).status).toBe(422);
    expect((await status()).body.mode).toBe('Normal');
    const draft = await request<{ id: string }>(api('/applications'), { body: CONSENT, token: customer.token, idempotent: true });
    expect(draft.status).toBe(201);
    const before = await podSnapshot();

    const switched = Date.now();
    await setMode('ReadOnly');
    const refused = await eventually(
      'POST /applications answering 503 read-only-mode',
      async () => {
        const answer = await write();
        return answer.status === 503 && answer.body.type === 'https://kyc.dev/problems/read-only-mode' ? answer : undefined;
      },
      30_000,
      250,
    );
    const readOnlyAfterMs = Date.now() - switched;
    expect([Number(refused.headers.get('retry-after')) > 0, refused.headers.get('kyc-service-mode')]).toEqual([true, 'ReadOnly']);
    // Each pod follows its own copy of the settings file: the pod that refused may be ahead of the
    // gateway pod that answers the status by a second or so.
    const publicStatus = await eventually(
      'the public status saying ReadOnly',
      async () => {
        const answer = await status();
        return answer.body.mode === 'ReadOnly' ? answer : undefined;
      },
      10_000,
      250,
    );
    expect([
      publicStatus.status,
      publicStatus.body.mode,
      publicStatus.body.reducedFeatures,
      publicStatus.headers.get('kyc-service-mode'),
    ]).toEqual([200, 'ReadOnly', expect.arrayContaining(['writes']), 'ReadOnly']);
    const read = await eventually(
      'a read served under ReadOnly',
      async () => {
        const answer = await request(api(`/applications/${draft.body.id}`), { token: customer.token });
        return answer.headers.get('kyc-service-mode') === 'ReadOnly' ? answer : undefined;
      },
      10_000,
      250,
    );
    expect([read.status, read.headers.get('kyc-service-mode')]).toEqual([200, 'ReadOnly']);
    const platform = await eventually(
      'status.degradationMode ReadOnly and Degraded ReadOnlyMode',
      async () => {
        const p = (await getPlatform()) as PlatformView;
        const degraded = p.status?.conditions?.find((c) => c.type === 'Degraded');
        return p.status?.degradationMode === 'ReadOnly' && degraded?.reason === 'ReadOnlyMode' ? p : undefined;
      },
      30_000,
      500,
    );
    expect(platform.status?.conditions?.find((c) => c.type === 'Degraded')?.status).toBe('True');
    expect(await podChangesSince(before)).toEqual([]);

    const restored = Date.now();
    await setMode('Normal');
    await eventually('POST /applications served again', async () => ((await write()).status === 422 ? true : undefined), 30_000, 250);
    const normalAfterMs = Date.now() - restored;
    // Every pod back to Normal (each follows its own copy of the settings, a second or so apart).
    const normal = await eventually(
      'the public status without a mode header',
      async () => {
        const answer = await status();
        return answer.headers.get('kyc-service-mode') === null ? answer : undefined;
      },
      10_000,
      250,
    );
    expect(normal.body.mode).toBe('Normal');
    expect(await podChangesSince(before)).toEqual([]);
    console.log(
      `degradation mode: ReadOnly in force through the gateway after ${readOnlyAfterMs} ms, Normal again after ${normalAfterMs} ms`,
    );
    expect(readOnlyAfterMs).toBeLessThan(15_000);
  }, 180_000);
});
