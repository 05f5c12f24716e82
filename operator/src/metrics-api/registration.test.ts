import { describe, expect, it } from '@jest/globals';
import type { KubeResource } from '../runtime/kube.js';
import { FakeKube } from '../runtime/testing/fake-kube.js';
import { APISERVICE, APISERVICE_NAME, registerUnlessOwnedElsewhere } from './registration.js';

const own = { namespace: 'kyc-system', name: 'kyc-operator-external-metrics', port: 443 };
type ApiService = KubeResource & { spec: { service: { namespace: string; name: string }; caBundle?: string } };

async function kedaHoldsIt(kube: FakeKube): Promise<void> {
  await kube.create(APISERVICE, '', {
    apiVersion: APISERVICE.apiVersion,
    kind: APISERVICE.kind,
    metadata: { name: APISERVICE_NAME },
    spec: { service: { namespace: 'keda', name: 'keda-operator-metrics-apiserver', port: 443 } },
  });
}

describe('registerUnlessOwnedElsewhere', () => {
  it('when nobody holds the APIService, then the operator registers it with its caBundle', async () => {
    const kube = new FakeKube();
    expect(await registerUnlessOwnedElsewhere(kube.asClient(), own, 'CA')).toEqual({ state: 'Absent' });
    const live = kube.peek<ApiService>(APISERVICE, '', APISERVICE_NAME);
    expect(live?.spec.service).toMatchObject({ namespace: 'kyc-system', name: 'kyc-operator-external-metrics' });
    expect(live?.spec.caBundle).toBe(Buffer.from('CA').toString('base64'));
  });

  it('when KEDA holds it, then it is left exactly as it is', async () => {
    const kube = new FakeKube();
    await kedaHoldsIt(kube);
    const writes = kube.writes.length;
    expect(await registerUnlessOwnedElsewhere(kube.asClient(), own, 'CA')).toEqual({
      state: 'Elsewhere',
      owner: 'keda/keda-operator-metrics-apiserver',
    });
    expect(kube.writes.length).toBe(writes);
    expect(kube.peek<ApiService>(APISERVICE, '', APISERVICE_NAME)?.spec.service.name).toBe('keda-operator-metrics-apiserver');
  });

  it('with take-over (the scaling suites), then it is pointed at the operator anyway', async () => {
    const kube = new FakeKube();
    await kedaHoldsIt(kube);
    await registerUnlessOwnedElsewhere(kube.asClient(), own, 'CA', true);
    expect(kube.peek<ApiService>(APISERVICE, '', APISERVICE_NAME)?.spec.service.name).toBe('kyc-operator-external-metrics');
  });
});
