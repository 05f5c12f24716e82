import { describe, expect, it, jest } from '@jest/globals';
import { APISERVICE } from '../metrics-api/registration.js';
import { createLogger } from '../runtime/logger.js';
import { FakeKube } from '../runtime/testing/fake-kube.js';
import { ExternalMetricsOwnerWatch } from './external-metrics-owner.js';

const own = { namespace: 'kyc-system', name: 'kyc-operator-external-metrics' };
const apiService = (namespace: string, name: string) => ({
  apiVersion: APISERVICE.apiVersion,
  kind: APISERVICE.kind,
  metadata: { name: 'v1beta1.external.metrics.k8s.io' },
  spec: { group: 'external.metrics.k8s.io', version: 'v1beta1', service: { namespace, name, port: 443 } },
});

describe('ExternalMetricsOwnerWatch', () => {
  it('when KEDA holds the APIService, then it names KEDA, wakes the platforms once, and follows a hand-back', async () => {
    const kube = new FakeKube();
    await kube.create(APISERVICE, '', apiService('keda', 'keda-operator-metrics-apiserver'));
    const onChange = jest.fn();
    const watch = new ExternalMetricsOwnerWatch({ client: kube.asClient(), logger: createLogger('error'), own, onChange });
    await watch.check();
    await watch.check();
    expect(watch.owner).toBe('keda/keda-operator-metrics-apiserver');
    expect(onChange).toHaveBeenCalledTimes(1);

    await kube.apply(APISERVICE, apiService(own.namespace, own.name), 'test');
    await watch.check();
    expect(watch.owner).toBeUndefined();
    expect(onChange).toHaveBeenCalledTimes(2);
  });

  it('when the read fails, then the last answer stands', async () => {
    const kube = new FakeKube();
    await kube.create(APISERVICE, '', apiService('monitoring', 'prometheus-adapter'));
    const watch = new ExternalMetricsOwnerWatch({
      client: kube.asClient(),
      logger: createLogger('error'),
      own,
      onChange: () => undefined,
    });
    await watch.check();
    kube.failNext('get', new Error('forbidden'));
    await watch.check();
    expect(watch.owner).toBe('monitoring/prometheus-adapter');
  });
});
