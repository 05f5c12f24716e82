import { describe, expect, it } from '@jest/globals';
import { configHash, renderConfigMap } from './configmap.js';
import { platform } from '../api/fixtures.js';

describe('renderConfigMap', () => {
  it('holds sorted feature flags, the load-balancing settings and the enabled components', () => {
    const cm = renderConfigMap(
      platform({ featureFlags: { 'video-kyc': false, 'aadhaar-ekyc': true }, loadBalancing: { strategy: 'least-connections' } }),
    );
    expect(cm.metadata.name).toBe('acme-config');
    expect(cm.metadata.labels?.['app.kubernetes.io/component']).toBe('platform');
    expect(cm.data).toEqual({
      components: 'gateway,kyc,auth,notification,analytics',
      'feature-flags': 'aadhaar-ekyc=true,video-kyc=false',
      'load-balancing.json': '{"strategy":"least-connections","stickySessions":false,"weights":{}}',
    });
  });

  it('hashes the same content to the same digest whatever the key order', () => {
    const a = platform({ featureFlags: { a: true, b: false } });
    const b = platform({ featureFlags: { b: false, a: true } });
    expect(configHash(a)).toBe(configHash(b));
    expect(configHash(a)).not.toBe(configHash(platform({ featureFlags: { a: false, b: false } })));
  });
});
