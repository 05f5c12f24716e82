// A preview colour of kyc runs no automatic checks (docs/releases.md, "Blue-green isolation"): a kyc pod of
// the green colour, while the live settings name blue active, relays its events to Kafka but leaves the
// submitted applications unchecked; once the switch names green, it checks each of them once.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { CONSENT, EventCollector, VALID_APPLICANT, panCardDocument, passportDocument, startKycHarness, token } from './kyc-support.js';
import type { KycHarness } from './kyc-support.js';
import { eventually, liveSettingsFile, request } from './support.js';
import type { LiveSettingsFile } from './support.js';

describe('kyc in the preview colour of a blue-green release', () => {
  let h: KycHarness;
  let live: LiveSettingsFile;
  let collector: EventCollector;

  const activate = (activeColor: 'blue' | 'green') => live.write({ featureFlags: {}, activeColor });
  const stateOf = async (id: string, staff: string): Promise<string> =>
    (await request<{ state: string }>(h.url(`/api/v1/applications/${id}`), { token: staff })).body.state;

  async function submit(): Promise<string> {
    const customer = await token(`cust-${randomUUID()}`, 'customer');
    const created = await request<{ id: string }>(h.url('/api/v1/applications'), { body: CONSENT, token: customer });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await request(h.url(`/api/v1/applications/${id}`), { method: 'PATCH', body: VALID_APPLICANT, token: customer })).status).toBe(
      200,
    );
    expect((await request(h.url(`/api/v1/applications/${id}/documents`), { body: passportDocument, token: customer })).status).toBe(201);
    expect((await request(h.url(`/api/v1/applications/${id}/documents`), { body: panCardDocument, token: customer })).status).toBe(201);
    expect((await request(h.url(`/api/v1/applications/${id}/submit`), { body: {}, token: customer })).status).toBe(202);
    return id;
  }

  beforeAll(async () => {
    live = await liveSettingsFile('kyc-bluegreen-');
    await activate('blue');
    h = await startKycHarness({ LIVE_SETTINGS_FILE: live.path, KYC_COLOR: 'green' }, { liveSettingsIntervalMs: 100 });
    collector = new EventCollector(h.topicPrefix);
    await collector.start();
  }, 90_000);

  afterAll(async () => {
    await collector?.stop();
    await h?.close();
    await live?.remove();
  }, 60_000);

  it('when green is the preview, then its submitted applications reach Kafka unchecked, and after the switch to green each is checked once', async () => {
    const maker = await token(`maker-${randomUUID()}`, 'maker');
    expect(h.kyc.messaging.consumer?.current).toBeUndefined();
    const submitted = [await submit(), await submit()];
    // The outbox relay runs in the preview too: the events are in Kafka.
    await eventually(
      () => (submitted.every((id) => collector.about(id).some((e) => e.type === 'kyc.application.submitted')) ? true : undefined),
      20_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    for (const id of submitted) expect(await stateOf(id, maker)).toBe('submitted');
    expect(collector.events.some((e) => e.type === 'kyc.application.processing_started' && submitted.includes(e.subject))).toBe(false);

    await activate('green');
    await eventually(
      async () => ((await Promise.all(submitted.map((id) => stateOf(id, maker)))).every((s) => s === 'pending_review') ? true : undefined),
      30_000,
    );
    const startedOf = () =>
      collector.events
        .filter((e) => e.type === 'kyc.application.processing_started' && submitted.includes(e.subject))
        .map((e) => e.subject);
    await eventually(() => (startedOf().length >= submitted.length ? true : undefined), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect([...startedOf()].sort()).toEqual([...submitted].sort());
  }, 90_000);
});
