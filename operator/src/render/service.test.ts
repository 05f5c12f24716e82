import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import { headlessServiceName, renderColorHeadlessService, renderHeadlessService, renderService } from './service.js';

describe('renderService', () => {
  it('is a ClusterIP (the server default: type is left to whoever exposes it) on 8080 selecting the component pods by instance and component only', () => {
    const s = renderService(platform(), 'auth');
    expect(s.metadata.name).toBe('acme-auth');
    expect(s.spec).toEqual({
      selector: { 'app.kubernetes.io/instance': 'acme', 'app.kubernetes.io/component': 'auth' },
      ports: [{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }],
    });
  });
});

describe('headless Services (the gateway discovers the pods of its upstreams through them)', () => {
  it('has no cluster IP and leaves unready and terminating pods out of its DNS answer', () => {
    const s = renderHeadlessService(platform(), 'kyc');
    expect(s.metadata.name).toBe('acme-kyc-hl');
    expect(s.spec).toEqual({
      clusterIP: 'None',
      publishNotReadyAddresses: false,
      selector: { 'app.kubernetes.io/instance': 'acme', 'app.kubernetes.io/component': 'kyc' },
      ports: [{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }],
    });
  });

  it('per colour selects that colour only, and its longest name fits a DNS label with the longest platform name', () => {
    const longest = platform();
    longest.metadata.name = 'a'.repeat(40);
    const s = renderColorHeadlessService(longest, 'notification', 'green');
    expect(s.metadata.name).toBe(`${'a'.repeat(40)}-notification-green-hl`);
    expect(s.metadata.name.length).toBeLessThanOrEqual(63);
    expect((s.spec as { selector: Record<string, string> }).selector['kyc.dev/color']).toBe('green');
    expect(headlessServiceName(platform(), 'kyc', 'blue')).toBe('acme-kyc-blue-hl');
  });
});
