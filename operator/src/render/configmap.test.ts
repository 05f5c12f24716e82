import { describe, expect, it } from '@jest/globals';
import { configHash, configMapLiveSettingsDigest, liveSettingsDigest, renderConfigMap } from './configmap.js';
import { platform } from '../api/fixtures.js';

const allOn = {
  'analytics-ingestion': true,
  'automatic-checks': true,
  'document-upload': true,
  'new-applications': true,
  'notifications-email': true,
  'notifications-sms': true,
  'sanctions-screening': true,
};

describe('renderConfigMap', () => {
  it('holds every feature flag in force (on unless turned off), the load-balancing settings and the enabled components', () => {
    const cm = renderConfigMap(platform({ featureFlags: { 'document-upload': false }, loadBalancing: { strategy: 'least-connections' } }));
    expect(cm.metadata.name).toBe('acme-config');
    expect(cm.metadata.labels?.['app.kubernetes.io/component']).toBe('platform');
    expect(cm.data).toEqual({
      components: 'gateway,kyc,auth,notification,analytics,frontend',
      'live-settings.json': JSON.stringify({
        featureFlags: { ...allOn, 'document-upload': false },
        loadBalancing: { strategy: 'least-connections', stickySessions: false },
      }),
    });
  });

  it('carries the load balancing in the live settings only (a change restarts nothing), and nothing for the default', () => {
    const lb = (spec: Parameters<typeof platform>[0]) =>
      (
        JSON.parse((renderConfigMap(platform(spec)).data as Record<string, string>)['live-settings.json'] ?? '') as {
          loadBalancing?: unknown;
        }
      ).loadBalancing;
    expect(lb({})).toBeUndefined();
    expect(lb({ loadBalancing: { strategy: 'round-robin', stickySessions: false } })).toBeUndefined();
    expect(lb({ loadBalancing: { stickySessions: true } })).toEqual({ strategy: 'round-robin', stickySessions: true });
    expect(lb({ loadBalancing: { strategy: 'ip-hash' } })).toEqual({ strategy: 'ip-hash', stickySessions: false });
    const ipHash = platform({ loadBalancing: { strategy: 'ip-hash' } });
    expect(configHash(ipHash)).toBe(configHash(platform({})));
    expect(liveSettingsDigest(ipHash)).not.toBe(liveSettingsDigest(platform({})));
  });

  it('hashes the same content to the same digest whatever the key order', () => {
    const a = platform({ featureFlags: { 'new-applications': true, 'document-upload': false } });
    const b = platform({ featureFlags: { 'document-upload': false, 'new-applications': true } });
    expect(liveSettingsDigest(a)).toBe(liveSettingsDigest(b));
    expect(liveSettingsDigest(a)).not.toBe(liveSettingsDigest(platform({ featureFlags: { 'document-upload': true } })));
  });

  it('leaves the live settings out of the pod-template hash, so switching a flag restarts nothing', () => {
    const on = platform({});
    const off = platform({ featureFlags: { 'automatic-checks': false } });
    expect(configHash(off)).toBe(configHash(on));
    expect(liveSettingsDigest(off)).not.toBe(liveSettingsDigest(on));
    // A setting read at start still rolls the pods.
    expect(configHash(platform({ components: { analytics: { enabled: false } } }))).not.toBe(configHash(on));
  });

  it('treats an explicit true like an absent flag (same digest: no pointless pod marking)', () => {
    expect(liveSettingsDigest(platform({ featureFlags: { 'sanctions-screening': true } }))).toBe(liveSettingsDigest(platform({})));
  });

  it('names the active colour of a blue-green release in the live settings only (a switch restarts nothing), and the digest follows it', () => {
    const p = platform({});
    const blue = renderConfigMap(p, 'blue');
    const data = blue.data as Record<string, string>;
    expect(JSON.parse(data['live-settings.json'] ?? '')).toEqual({ featureFlags: allOn, activeColor: 'blue' });
    expect(JSON.parse((renderConfigMap(p).data as Record<string, string>)['live-settings.json'] ?? '')).not.toHaveProperty('activeColor');
    expect(configHash(p)).toBe(configHash(p)); // the colour is not among the start-time settings
    expect(liveSettingsDigest(p, 'green')).not.toBe(liveSettingsDigest(p, 'blue'));
    expect(liveSettingsDigest(p, 'legacy')).not.toBe(liveSettingsDigest(p));
    expect(configMapLiveSettingsDigest(blue)).toBe(liveSettingsDigest(p, 'blue'));
    expect(configMapLiveSettingsDigest(renderConfigMap(p))).toBe(liveSettingsDigest(p));
  });

  it('carries a forced degradation mode in the live settings only (restarts nothing), and nothing for Normal', () => {
    const readOnly = platform({ degradation: { mode: 'ReadOnly' } });
    expect(JSON.parse((renderConfigMap(readOnly).data as Record<string, string>)['live-settings.json'] ?? '')).toEqual({
      featureFlags: allOn,
      mode: 'ReadOnly',
    });
    expect(configHash(readOnly)).toBe(configHash(platform({})));
    expect(liveSettingsDigest(readOnly)).not.toBe(liveSettingsDigest(platform({})));
    expect(liveSettingsDigest(platform({ degradation: { mode: 'Normal' } }))).toBe(liveSettingsDigest(platform({})));
  });
});
