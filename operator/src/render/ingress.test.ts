import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import { renderIngress } from './ingress.js';

describe('renderIngress', () => {
  it('routes the host to the gateway Service, with TLS and class when given', () => {
    const ing = renderIngress(platform({ ingress: { host: 'kyc.example.com', tlsSecretName: 'kyc-tls', className: 'nginx' } }));
    expect(ing?.metadata.name).toBe('acme-gateway');
    expect(ing?.spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{ hosts: ['kyc.example.com'], secretName: 'kyc-tls' }],
      rules: [
        {
          host: 'kyc.example.com',
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'acme-gateway', port: { name: 'http' } } } }] },
        },
      ],
    });
  });

  it('under tls BuiltIn tells ingress-nginx to reach the gateway over verified TLS 1.3; under Disabled nothing', () => {
    const on = renderIngress(platform({ ingress: { host: 'kyc.example.com' } }));
    expect(on?.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
      'nginx.ingress.kubernetes.io/proxy-ssl-secret': 'kyc-test/acme-gateway-tls',
      'nginx.ingress.kubernetes.io/proxy-ssl-verify': 'on',
      'nginx.ingress.kubernetes.io/proxy-ssl-name': 'acme-gateway',
    });
    const off = renderIngress(platform({ profile: 'development', tls: { mode: 'Disabled' }, ingress: { host: 'kyc.example.com' } }));
    expect(off?.metadata.annotations).toBeUndefined();
  });

  it('is absent without a host', () => {
    expect(renderIngress(platform())).toBeUndefined();
    expect(renderIngress(platform({ ingress: {} }))).toBeUndefined();
  });
});
