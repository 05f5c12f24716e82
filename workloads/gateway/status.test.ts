import { describe, expect, it } from '@jest/globals';
import { publicStatus } from './status.js';
import type { FeatureFlagName, ServiceMode } from '../shared/index.js';

const settings = (mode: ServiceMode, off: FeatureFlagName[] = []) => ({
  mode: () => mode,
  isOn: (flag: FeatureFlagName) => !off.includes(flag),
});

describe('publicStatus', () => {
  it('when everything runs, then Normal with nothing reduced', () => {
    expect(publicStatus(settings('Normal'), '1.4.2')).toEqual({ mode: 'Normal', reducedFeatures: [], version: '1.4.2' });
  });

  it('when ReadOnly with flags off, then it lists what the mode reduces, then the flags that are off', () => {
    expect(publicStatus(settings('ReadOnly', ['notifications-sms', 'document-upload']), '1.4.2').reducedFeatures).toEqual([
      'writes',
      'document-upload',
      'notifications-sms',
    ]);
    expect(publicStatus(settings('Maintenance'), '1.4.2').reducedFeatures).toEqual(['api']);
  });
  it('when the gateway sees upstreams unable to serve, then it names what users lose, not the services', () => {
    expect(publicStatus(settings('Normal', ['document-upload']), '1.4.2', ['kyc', 'analytics']).reducedFeatures).toEqual([
      'document-upload',
      'applications',
      'analytics',
    ]);
  });
  it('when an upstream that answers says it serves a feature reduced, then that feature is listed once', () => {
    expect(publicStatus(settings('Normal', ['automatic-checks']), '1.4.2', [], ['automatic-checks']).reducedFeatures).toEqual([
      'automatic-checks',
    ]);
    expect(publicStatus(settings('Normal'), '1.4.2', [], ['automatic-checks']).reducedFeatures).toEqual(['automatic-checks']);
  });
});
