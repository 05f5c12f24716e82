import { describe, expect, it } from '@jest/globals';
import { AllowedNetworks, forbiddenAddress, webhookUrlProblem } from './webhook-url.js';

const strict = { allowHttp: false, allowed: new AllowedNetworks() };

describe('webhook URLs', () => {
  it.each([
    'https://hooks.integrator.example/kyc',
    'https://hooks.integrator.example:8443/kyc?x=1',
    'https://93.184.216.34/hook',
    'https://[2606:4700::1111]/hook',
  ])('when %s is registered, then it is accepted', (url) => {
    expect(webhookUrlProblem(url, strict)).toBeUndefined();
  });

  it.each([
    ['http://hooks.integrator.example/', 'must be an https URL'],
    ['ftp://hooks.integrator.example/', 'must be an https URL'],
    ['hooks.integrator.example/kyc', 'absolute URL'],
    ['https://user:secret@hooks.integrator.example/', 'credentials'],
    ['https://user@hooks.integrator.example/', 'credentials'],
    ['https://127.0.0.1/', 'private, loopback'],
    ['https://2130706433/', 'private, loopback'], // decimal 127.0.0.1
    ['https://0x7f.1/', 'private, loopback'], // hex and short form
    ['https://0177.0.0.1/', 'private, loopback'], // octal
    ['https://10.1.2.3/', 'private, loopback'],
    ['https://172.20.0.1/', 'private, loopback'],
    ['https://192.168.1.1/', 'private, loopback'],
    ['https://169.254.169.254/latest/meta-data/', 'private, loopback'],
    ['https://100.64.0.1/', 'private, loopback'],
    ['https://0.0.0.0/', 'private, loopback'],
    ['https://[::1]/', 'private, loopback'],
    ['https://[::]/', 'private, loopback'],
    ['https://[::ffff:127.0.0.1]/', 'private, loopback'], // IPv4-mapped
    ['https://[fd00:ec2::254]/', 'private, loopback'],
    ['https://[fe80::1]/', 'private, loopback'],
    ['https://localhost/', 'local, cluster or metadata'],
    ['https://api.localhost/', 'local, cluster or metadata'],
    ['https://metadata.google.internal/', 'local, cluster or metadata'],
    ['https://kyc-auth.kyc.svc.cluster.local/', 'local, cluster or metadata'],
    ['https://kyc-auth.kyc.svc/', 'local, cluster or metadata'],
    ['https://kyc-auth/', 'fully qualified'],
    ['https://hooks.integrator.example/#x', 'fragment'],
  ])('when %s is registered, then it is refused (%s)', (url, problem) => {
    expect(webhookUrlProblem(url, strict)).toContain(problem);
  });

  it('when plain http is allowed (a development platform), then http is accepted and other schemes are not', () => {
    const development = { ...strict, allowHttp: true };
    expect(webhookUrlProblem('http://hooks.integrator.example/', development)).toBeUndefined();
    expect(webhookUrlProblem('ws://hooks.integrator.example/', development)).toContain('https or http');
  });

  it('when a private network is allowed, then an address in it is accepted and one outside it is not', () => {
    const allowed = new AllowedNetworks(['10.20.0.0/16', 'fd12::/16']);
    expect(forbiddenAddress('10.20.3.4', allowed)).toBeUndefined();
    expect(forbiddenAddress('fd12::5', allowed)).toBeUndefined();
    expect(forbiddenAddress('10.21.0.1', allowed)).toContain('private');
    expect(webhookUrlProblem('https://10.20.3.4/hook', { allowHttp: false, allowed })).toBeUndefined();
  });

  it('when an allowed network is not a network, then it is refused', () => {
    expect(() => new AllowedNetworks(['10.0.0.0'])).toThrow('is not a network');
    expect(() => new AllowedNetworks(['10.0.0.0/33'])).toThrow('is not a network');
    expect(() => new AllowedNetworks(['example.com/8'])).toThrow('is not a network');
  });

  it('at delivery time, an address a name resolved to is checked the same way', () => {
    expect(forbiddenAddress('93.184.216.34', new AllowedNetworks())).toBeUndefined();
    expect(forbiddenAddress('10.0.0.1', new AllowedNetworks())).toContain('private');
    expect(forbiddenAddress('::ffff:a00:1', new AllowedNetworks())).toContain('private');
  });
});
