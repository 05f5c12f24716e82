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

  it('is absent without a host', () => {
    expect(renderIngress(platform())).toBeUndefined();
    expect(renderIngress(platform({ ingress: {} }))).toBeUndefined();
  });
});
