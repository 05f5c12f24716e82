// TLS between the components (docs/security.md, "TLS between the components"), against the real API server
// with the operator in this process: a platform gets its CA Secret and six leaf Secrets whose certificates
// verify against the bundle and carry the names of the component's Services; the rotate annotation
// re-issues every leaf (the CA kept) without changing any Deployment's pod template; tls.mode Disabled in
// the production profile is refused with a condition before anything is created.
import { describe, expect, it } from '@jest/globals';
import { COMPONENTS } from '../../../operator/src/api/components.js';
import { issuedByBundle, readCertificate } from '../../../operator/src/api/x509.js';
import { startManager } from '../../../operator/src/manager.js';
import type { PlatformResource } from '../../../operator/src/reconcile/platform.js';
import { ROTATE_ANNOTATION } from '../../../operator/src/release/certificates.js';
import type { KubeResource } from '../../../operator/src/runtime/kube.js';
import { eventually } from '../../support/env.js';
import {
  DEPLOYMENT,
  developmentPlatform,
  getPlatform,
  PLATFORM,
  SECRET,
  SERVICE,
  testOperatorConfig,
  testOperatorLogger,
  withTestOperator,
} from './support.js';

type Secret = KubeResource & { type?: string; data?: Record<string, string> };
type Deployment = KubeResource & { spec: { template: unknown } };

// A short overlap: a rotation right after the first issue need not wait the default five minutes.
const suite = withTestOperator('op-tls', {
  start: (namespace) => startManager(testOperatorConfig({ namespace }), { logger: testOperatorLogger(), certificateOverlapMs: 1000 }),
});
const { client } = suite;
const pem = (secret: Secret | undefined, key: string): string => Buffer.from(secret?.data?.[key] ?? '', 'base64').toString('utf8');

function tlsPlatform(name: string, tls: PlatformResource['spec']['tls'] = {}): PlatformResource {
  const base = developmentPlatform(suite.namespace, name);
  return { ...base, spec: { ...base.spec, tls: { ...base.spec.tls, mode: 'BuiltIn', publicNames: ['localhost', '127.0.0.1'], ...tls } } };
}

async function leaves(name: string): Promise<Secret[]> {
  return eventually(
    `the six certificate Secrets of ${name}`,
    async () => {
      const secrets = await Promise.all(COMPONENTS.map((c) => client.get<Secret>(SECRET, suite.namespace, `${name}-${c}-tls`)));
      return secrets.every((s) => s !== undefined) ? secrets : undefined;
    },
    60_000,
  );
}

async function templates(name: string): Promise<Record<string, string>> {
  const list = await client.list<Deployment>(DEPLOYMENT, suite.namespace, { labelSelector: `app.kubernetes.io/instance=${name}` });
  return Object.fromEntries(list.items.map((d) => [d.metadata.name, JSON.stringify(d.spec.template)]));
}

describe('the platform certificates', () => {
  it('when a platform is created, then its CA and six leaf Secrets exist, each leaf verifiable against the bundle with its Services’ names', async () => {
    await client.create(PLATFORM, suite.namespace, tlsPlatform('tls-a'));
    const secrets = await leaves('tls-a');
    const ca = await client.get<Secret>(SECRET, suite.namespace, 'tls-a-tls-ca');
    expect(ca?.type).toBe('Opaque');
    const bundle = pem(ca, 'ca.crt');
    expect(readCertificate(pem(ca, 'tls.crt')).ca).toBe(true);
    // The Secrets come first in a pass, the Services after them.
    const services = await eventually('the Services of tls-a', async () => {
      const items = (await client.list(SERVICE, suite.namespace, { labelSelector: 'app.kubernetes.io/instance=tls-a' })).items;
      return items.length >= 9 ? items : undefined;
    });
    for (const secret of secrets) {
      expect(secret.type).toBe('kubernetes.io/tls');
      expect(secret.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'KycPlatform', name: 'tls-a' });
      expect(pem(secret, 'ca.crt')).toBe(bundle);
      expect(issuedByBundle(pem(secret, 'tls.crt'), bundle)).toBe(true);
    }
    // Every Service the operator made is a name of its component's certificate.
    for (const service of services) {
      const component = service.metadata.labels?.['app.kubernetes.io/component'];
      const secret = secrets.find((s) => s.metadata.name === `tls-a-${component}-tls`);
      const names = readCertificate(pem(secret, 'tls.crt')).subjectAltNames;
      expect(names).toContain(`${service.metadata.name}.${suite.namespace}.svc`);
    }
    const gateway = secrets.find((s) => s.metadata.name === 'tls-a-gateway-tls');
    expect(readCertificate(pem(gateway, 'tls.crt')).subjectAltNames).toEqual(expect.arrayContaining(['localhost', '127.0.0.1']));
    // The pods mount their own Secret and speak HTTPS.
    const kyc = await client.get<Deployment>(DEPLOYMENT, suite.namespace, 'tls-a-kyc');
    expect(JSON.stringify(kyc?.spec.template)).toContain('"secretName":"tls-a-kyc-tls"');
    expect(JSON.stringify(kyc?.spec.template)).toContain('"scheme":"HTTPS"');
    const p = await eventually('CertificatesReady', async () => {
      const p = await getPlatform(client, suite.namespace, 'tls-a');
      return p?.status?.conditions?.find((c) => c.type === 'CertificatesReady' && c.status === 'True') ? p : undefined;
    });
    // Each certificate's notAfter in status, the CA's too.
    expect(p.status?.certificates?.map((c) => c.name)).toEqual(['ca', ...COMPONENTS]);
    const kycCert = readCertificate(
      pem(
        secrets.find((s) => s.metadata.name === 'tls-a-kyc-tls'),
        'tls.crt',
      ),
    );
    expect(p.status?.certificates?.find((c) => c.name === 'kyc')).toEqual({
      name: 'kyc',
      notAfter: kycCert.notAfter.toISOString().replace('.000Z', 'Z'),
      serialNumber: kycCert.serialNumber,
    });
  }, 60_000);

  it('when the rotate annotation changes, then every leaf is issued again (the CA kept) and no pod template changes', async () => {
    const before = await leaves('tls-a');
    const caBefore = pem(await client.get<Secret>(SECRET, suite.namespace, 'tls-a-tls-ca'), 'tls.crt');
    const serials = new Map(before.map((s) => [s.metadata.name, readCertificate(pem(s, 'tls.crt')).serialNumber]));
    const podTemplates = await templates('tls-a');
    expect(Object.keys(podTemplates)).toHaveLength(6);
    await client.mergePatch(PLATFORM, suite.namespace, 'tls-a', { metadata: { annotations: { [ROTATE_ANNOTATION]: 'first' } } });
    const after = await eventually('every leaf re-issued', async () => {
      const secrets = await leaves('tls-a');
      return secrets.every((s) => readCertificate(pem(s, 'tls.crt')).serialNumber !== serials.get(s.metadata.name)) ? secrets : undefined;
    });
    expect(pem(await client.get<Secret>(SECRET, suite.namespace, 'tls-a-tls-ca'), 'tls.crt')).toBe(caBefore);
    for (const secret of after) {
      expect(secret.metadata.annotations?.['kyc.dev/rotated-for']).toBe('first');
      expect(issuedByBundle(pem(secret, 'tls.crt'), caBefore)).toBe(true);
    }
    expect(await templates('tls-a')).toEqual(podTemplates);
  }, 60_000);

  it('when a production platform sets tls.mode Disabled, then it is refused with Ready=False TLSRequired and nothing is created', async () => {
    const base = tlsPlatform('tls-b', { mode: 'Disabled' });
    // No secretsRef: the platform Secret's check (which would refuse first) does not run.
    const { secretsRef: _none, ...spec } = base.spec;
    await client.create(PLATFORM, suite.namespace, { ...base, spec: { ...spec, profile: 'production', autoscaling: { enabled: false } } });
    const refused = await eventually('tls-b refused', async () => {
      const p = await getPlatform(client, suite.namespace, 'tls-b');
      const ready = p?.status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.reason === 'TLSRequired' ? ready : undefined;
    });
    expect(refused.status).toBe('False');
    expect(refused.message).toContain('set spec.tls.mode to BuiltIn');
    expect(await templates('tls-b')).toEqual({});
    expect(await client.get(SECRET, suite.namespace, 'tls-b-tls-ca')).toBeUndefined();
  }, 60_000);
});
