import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import { certificateValidityMs } from '../api/defaults.js';
import { renderPlatform } from './index.js';
import {
  caSecretName,
  certificateNames,
  tlsRequiredRefusal,
  tlsEnv,
  tlsSecretName,
  tlsSecretMeta,
  tlsVolumeMounts,
  tlsVolumes,
} from './tls.js';

describe('the platform TLS names', () => {
  it('names every Service that selects kyc, in the four forms a client dials', () => {
    const names = certificateNames(platform(), 'kyc');
    const services = [
      'acme-kyc',
      'acme-kyc-preview',
      'acme-kyc-blue',
      'acme-kyc-green',
      'acme-kyc-hl',
      'acme-kyc-blue-hl',
      'acme-kyc-green-hl',
    ];
    expect(names).toEqual(services.flatMap((s) => [s, `${s}.kyc-test`, `${s}.kyc-test.svc`, `${s}.kyc-test.svc.cluster.local`]));
  });

  it('covers the name of every Service and headless Service the renderers make', () => {
    const p = platform({ release: { strategy: 'RollingUpdate' } });
    const services = renderPlatform(p).filter((o) => o.kind === 'Service');
    expect(services.length).toBeGreaterThan(5);
    for (const service of services) {
      const component = service.metadata.labels?.['app.kubernetes.io/component'] as 'kyc';
      expect(certificateNames(p, component)).toContain(`${service.metadata.name}.kyc-test.svc`);
    }
  });

  it('adds tls.publicNames and the ingress host to the gateway only', () => {
    const p = platform({ tls: { publicNames: ['localhost', '127.0.0.1'] }, ingress: { host: 'kyc.example.com' } });
    expect(certificateNames(p, 'gateway').slice(-3)).toEqual(['localhost', '127.0.0.1', 'kyc.example.com']);
    expect(certificateNames(p, 'auth')).not.toContain('localhost');
  });

  it('names the Secrets after the platform and the component', () => {
    expect(caSecretName(platform())).toBe('acme-tls-ca');
    expect(tlsSecretName(platform(), 'notification')).toBe('acme-notification-tls');
    const meta = tlsSecretMeta(platform(), 'acme-kyc-tls', 'kyc');
    expect(meta.labels).toEqual({
      'app.kubernetes.io/name': 'kyc-platform',
      'app.kubernetes.io/instance': 'acme',
      'app.kubernetes.io/component': 'kyc',
      'app.kubernetes.io/managed-by': 'kyc-operator',
    });
    expect(meta.ownerReferences?.[0]).toMatchObject({ kind: 'KycPlatform', name: 'acme', controller: true });
  });

  it('mounts the certificate and sets KYC_TLS_DIR under BuiltIn (the default), nothing when Disabled', () => {
    expect(tlsEnv(platform())).toEqual([{ name: 'KYC_TLS_DIR', value: '/var/run/kyc/tls' }]);
    expect(tlsVolumes(platform(), 'kyc')).toEqual([{ name: 'tls', secret: { secretName: 'acme-kyc-tls', defaultMode: 0o440 } }]);
    // spec.tls.issuerRef: the key pair from cert-manager's Secret, ca.crt from the operator's bundle of the issuer CAs.
    expect(tlsVolumes(platform({ tls: { issuerRef: { name: 'corp' } } }), 'kyc')).toEqual([
      {
        name: 'tls',
        projected: {
          defaultMode: 0o440,
          sources: [
            {
              secret: {
                name: 'acme-kyc-tls',
                items: [
                  { key: 'tls.crt', path: 'tls.crt' },
                  { key: 'tls.key', path: 'tls.key' },
                ],
              },
            },
            { secret: { name: 'acme-tls-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          ],
        },
      },
    ]);
    expect(tlsVolumeMounts(platform())).toEqual([{ name: 'tls', mountPath: '/var/run/kyc/tls', readOnly: true }]);
    const off = platform({ tls: { mode: 'Disabled' } });
    expect([...tlsEnv(off), ...tlsVolumes(off, 'kyc'), ...tlsVolumeMounts(off)]).toEqual([]);
  });

  it('reads certificateValidity as hours and minutes', () => {
    expect(certificateValidityMs(platform().spec)).toBe(720 * 3_600_000);
    expect(certificateValidityMs(platform({ tls: { certificateValidity: '1h30m' } }).spec)).toBe(90 * 60_000);
  });

  it('refuses Disabled in production only, saying what to set', () => {
    expect(tlsRequiredRefusal(platform({ tls: { mode: 'Disabled' } }))).toMatch(/set spec.tls.mode to BuiltIn/);
    expect(tlsRequiredRefusal(platform({ tls: { mode: 'Disabled' }, profile: 'development' }))).toBeUndefined();
    expect(tlsRequiredRefusal(platform())).toBeUndefined();
  });
});
