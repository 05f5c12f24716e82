// The kyc service follows its feature flags while it runs (docs/api.md, "Feature flags"): the flags are
// written to a live-settings file as the operator's ConfigMap would be, and the service reads them again
// within its interval — no restart. new-applications and document-upload off answer 503 + Retry-After;
// automatic-checks off pauses the checks consumer, and the applications submitted meanwhile are checked
// once it is back on.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { CONSENT, EventCollector, VALID_APPLICANT, panCardDocument, passportDocument, startKycHarness, token } from './kyc-support.js';
import type { KycHarness } from './kyc-support.js';
import { eventually, liveSettingsFile, request } from './support.js';
import type { LiveSettingsFile } from './support.js';

describe('kyc feature flags', () => {
  let h: KycHarness;
  let live: LiveSettingsFile;
  let collector: EventCollector;

  const setFlags = (featureFlags: Record<string, boolean>) => live.write({ featureFlags });
  /** Until the service has read the file again (the interval is 100 ms here). */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

  async function draft(customer: string): Promise<string> {
    const created = await request<{ id: string }>(h.url('/api/v1/applications'), { body: CONSENT, token: customer });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  async function complete(customer: string, id: string): Promise<void> {
    expect((await request(h.url(`/api/v1/applications/${id}`), { method: 'PATCH', body: VALID_APPLICANT, token: customer })).status).toBe(
      200,
    );
    expect((await request(h.url(`/api/v1/applications/${id}/documents`), { body: passportDocument, token: customer })).status).toBe(201);
    expect((await request(h.url(`/api/v1/applications/${id}/documents`), { body: panCardDocument, token: customer })).status).toBe(201);
  }

  const stateOf = async (id: string, staff: string): Promise<string> =>
    (await request<{ state: string }>(h.url(`/api/v1/applications/${id}`), { token: staff })).body.state;

  beforeAll(async () => {
    live = await liveSettingsFile('kyc-live-');
    await setFlags({});
    h = await startKycHarness({ LIVE_SETTINGS_FILE: live.path }, { liveSettingsIntervalMs: 100 });
    collector = new EventCollector(h.topicPrefix);
    await collector.start();
  }, 90_000);

  afterAll(async () => {
    await collector?.stop();
    await h?.close();
    await live?.remove();
  }, 60_000);

  it('when new-applications is switched off, then POST /applications answers 503 + Retry-After saying so, an open draft is still completed and submitted, and back on it answers 201', async () => {
    const customer = await token(`cust-${randomUUID()}`, 'customer');
    const open = await draft(customer);
    await setFlags({ 'new-applications': false });
    await settle();

    const refused = await request<{ type: string; status: number; detail: string }>(h.url('/api/v1/applications'), {
      body: CONSENT,
      token: customer,
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(refused.body).toMatchObject({ type: 'https://kyc.dev/problems/feature-paused', status: 503 });
    expect(refused.body.detail).toMatch(/new applications are paused/);

    await complete(customer, open);
    expect((await request(h.url(`/api/v1/applications/${open}/submit`), { body: {}, token: customer })).status).toBe(202);

    await setFlags({});
    await settle();
    expect((await request(h.url('/api/v1/applications'), { body: CONSENT, token: customer })).status).toBe(201);
  }, 30_000);

  it('when document-upload is switched off, then an upload answers 503 + Retry-After and the documents already there stay readable', async () => {
    const customer = await token(`cust-${randomUUID()}`, 'customer');
    const id = await draft(customer);
    const uploaded = await request<{ id: string }>(h.url(`/api/v1/applications/${id}/documents`), {
      body: passportDocument,
      token: customer,
    });
    expect(uploaded.status).toBe(201);
    await setFlags({ 'document-upload': false });
    await settle();

    const refused = await request<{ type: string; detail: string }>(h.url(`/api/v1/applications/${id}/documents`), {
      body: panCardDocument,
      token: customer,
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(refused.body).toMatchObject({
      type: 'https://kyc.dev/problems/feature-paused',
      detail: expect.stringMatching(/document uploads are paused/),
    });
    expect((await request(h.url(`/api/v1/applications/${id}/documents/${uploaded.body.id}`), { token: customer })).status).toBe(200);

    await setFlags({});
    await settle();
    expect((await request(h.url(`/api/v1/applications/${id}/documents`), { body: panCardDocument, token: customer })).status).toBe(201);
  }, 30_000);

  it('when automatic-checks is switched off, then submitted applications wait unchecked in Kafka, and back on every one of them is checked once', async () => {
    const maker = await token(`maker-${randomUUID()}`, 'maker');
    await eventually(() => h.kyc.messaging.consumer, 30_000);
    await setFlags({ 'automatic-checks': false });
    await eventually(() => (h.kyc.messaging.consumer?.isPaused() ? true : undefined), 5_000);

    const submitted: string[] = [];
    for (let i = 0; i < 3; i++) {
      const customer = await token(`cust-${randomUUID()}`, 'customer');
      const id = await draft(customer);
      await complete(customer, id);
      expect((await request(h.url(`/api/v1/applications/${id}/submit`), { body: {}, token: customer })).status).toBe(202);
      submitted.push(id);
    }
    // The submitted events are in Kafka (the collector sees them), yet nothing checks them.
    await eventually(
      () => (submitted.every((id) => collector.about(id).some((e) => e.type === 'kyc.application.submitted')) ? true : undefined),
      20_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    for (const id of submitted) expect(await stateOf(id, maker)).toBe('submitted');

    await setFlags({});
    await eventually(
      async () => ((await Promise.all(submitted.map((id) => stateOf(id, maker)))).every((s) => s === 'pending_review') ? true : undefined),
      30_000,
    );
    expect(h.kyc.messaging.consumer?.isPaused()).toBe(false);
    // Each was checked once (Kafka keeps the order per partition, i.e. per application; across them there is none to keep).
    const startedOf = () =>
      collector.events
        .filter((e) => e.type === 'kyc.application.processing_started' && submitted.includes(e.subject))
        .map((e) => e.subject);
    await eventually(() => (startedOf().length >= submitted.length ? true : undefined), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect([...startedOf()].sort()).toEqual([...submitted].sort());
  }, 90_000);
});
