import { describe, expect, it } from '@jest/globals';
import { externalMetricsOwnership, mayRegister } from './ownership.js';

const own = { namespace: 'kyc-system', name: 'kyc-operator-external-metrics' };

describe('externalMetricsOwnership', () => {
  it('when no APIService exists, then it is absent and the operator may register it', () => {
    const ownership = externalMetricsOwnership(undefined, own);
    expect(ownership).toEqual({ state: 'Absent' });
    expect(mayRegister(ownership)).toBe(true);
  });

  it("when it names the operator's Service, then it is ours", () => {
    const ownership = externalMetricsOwnership(
      { spec: { service: { namespace: 'kyc-system', name: 'kyc-operator-external-metrics' } } },
      own,
    );
    expect(ownership).toEqual({ state: 'Ours' });
    expect(mayRegister(ownership)).toBe(true);
  });

  it("when KEDA's metrics server holds it, then it is elsewhere, names KEDA's Service, and the operator keeps off", () => {
    const ownership = externalMetricsOwnership({ spec: { service: { namespace: 'keda', name: 'keda-operator-metrics-apiserver' } } }, own);
    expect(ownership).toEqual({ state: 'Elsewhere', owner: 'keda/keda-operator-metrics-apiserver' });
    expect(mayRegister(ownership)).toBe(false);
  });

  it('when a Service of the same name in another namespace holds it (a second install), then it is elsewhere', () => {
    expect(externalMetricsOwnership({ spec: { service: { namespace: 'other', name: own.name } } }, own)).toEqual({
      state: 'Elsewhere',
      owner: `other/${own.name}`,
    });
  });

  it('when the operator does not serve the API, then any registration is elsewhere', () => {
    expect(externalMetricsOwnership({ spec: { service: { namespace: 'monitoring', name: 'prometheus-adapter' } } }, undefined)).toEqual({
      state: 'Elsewhere',
      owner: 'monitoring/prometheus-adapter',
    });
  });

  it('when it has no Service (served by the API server itself), then it is elsewhere', () => {
    expect(externalMetricsOwnership({ spec: { service: null } }, own)).toEqual({ state: 'Elsewhere', owner: 'the local API server' });
  });
});
