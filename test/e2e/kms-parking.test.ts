// Writes while the KMS is away, on the real node (docs/security.md, "Writes while the KMS is away"): the
// host's local-kms is stopped under the running platform. Once a kyc pod's key refresh fails, a customer's
// PII writes are still accepted (2xx), sealed under a parked data key that only the KMS can unwrap, and
// say so (KYC-Reduced-Features: automatic-checks, also in the public status); the submitted application is
// held, never passed on. With the KMS back, the pods unwrap the parked key, move the records under the
// active data key and release the application to its automatic checks. The KMS is started again whatever
// happens.
import { afterAll, describe, expect, it } from '@jest/globals';
import { startDependency, stopDependency } from './chaos-support.js';
import { APPLICANT, CONSENT, DOCUMENTS, customerOfReadyPlatform, eventually, request } from './support.js';

const REDUCED = 'kyc-reduced-features';

interface Application {
  id: string;
  state: string;
  applicant?: { pan?: string };
}

describe('writes while the KMS is away', () => {
  const customer = customerOfReadyPlatform('parking');
  const { api } = customer;
  const status = () => request<{ reducedFeatures: string[] }>(api('/status'));

  afterAll(async () => {
    await startDependency('kms');
  }, 200_000);

  it('when the KMS stops, then an application is accepted and parked (2xx, said in a header and the status) and released to its checks once the KMS is back', async () => {
    const draft = await request<Application>(api('/applications'), { body: CONSENT, token: customer.token, idempotent: true });
    expect(draft.status).toBe(201);
    const id = draft.body.id;

    await stopDependency('kms');
    const stoppedAt = Date.now();
    // Each kyc pod notices at its next key refresh (KMS_REFRESH_MS, 30 s by default); until then it seals
    // under the data key it holds, so the applicant is written again until a pod answers that it parked it.
    const parked = await eventually(
      'a PII write answered by a parking pod',
      async () => {
        const answer = await request<Application>(api(`/applications/${id}`), { method: 'PATCH', body: APPLICANT, token: customer.token });
        if (answer.status !== 200) throw new Error(`PATCH answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        return answer.headers.get(REDUCED)?.includes('automatic-checks') ? answer : undefined;
      },
      90_000,
      1_000,
    );
    const parkedAfterMs = Date.now() - stoppedAt;
    expect(JSON.stringify(parked.body)).not.toContain(APPLICANT.aadhaar);

    for (const document of DOCUMENTS) {
      const uploaded = await request(api(`/applications/${id}/documents`), { body: document, token: customer.token, idempotent: true });
      expect(uploaded.status).toBe(201);
    }
    const submitted = await request<Application>(api(`/applications/${id}/submit`), { body: {}, token: customer.token, idempotent: true });
    expect([submitted.status, submitted.body.state, submitted.headers.get(REDUCED)]).toEqual([202, 'submitted', 'automatic-checks']);
    expect((await status()).body.reducedFeatures).toContain('automatic-checks');

    // Held while parked: its checks need the PII, which nothing but the KMS can unseal.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const held = await request<Application>(api(`/applications/${id}`), { token: customer.token });
    if (held.status === 200) expect(held.body.state).toBe('submitted');
    else expect([held.status, Number(held.headers.get('retry-after')) > 0]).toEqual([503, true]);

    await startDependency('kms');
    const backAt = Date.now();
    const released = await eventually(
      'the application released to its automatic checks',
      async () => {
        const answer = await request<Application>(api(`/applications/${id}`), { token: customer.token });
        return answer.status === 200 && answer.body.state !== 'submitted' && answer.body.state !== 'processing' ? answer : undefined;
      },
      240_000,
      2_000,
    );
    expect(released.body.state).toBe('pending_review');
    expect(released.body.applicant?.pan).toBe('ABCPVXXXXF');
    console.log(
      `KMS parking: writes parked ${parkedAfterMs} ms after the KMS stopped; the application released to its checks ${Date.now() - backAt} ms after it was back`,
    );
  }, 420_000);
});
