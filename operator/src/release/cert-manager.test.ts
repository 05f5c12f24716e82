import { describe, expect, it } from '@jest/globals';
import { issueCa, issueLeaf, readCertificate, splitBundle, type KeyPair } from '../api/x509.js';
import { assessIssued, type IssuedInput } from './cert-manager.js';
import type { ObservedSecret } from './certificates.js';

const T0 = new Date('2026-12-06T12:00:00Z');
const HOUR = 3_600_000;
const NAMES = { kyc: ['acme-kyc', 'acme-kyc.ns'], auth: ['acme-auth'] } as const;
const caA = issueCa('issuer A', { notBefore: new Date(T0.getTime() - HOUR), notAfter: new Date(T0.getTime() + 1000 * HOUR) });
const caB = issueCa('issuer B', { notBefore: new Date(T0.getTime() - HOUR), notAfter: new Date(T0.getTime() + 500 * HOUR) });

/** What cert-manager's CA issuer writes: the leaf, its key, and the issuer's CA as ca.crt. */
function issued(ca: KeyPair, names: readonly string[], hours = 720, from = T0): ObservedSecret {
  const leaf = issueLeaf(ca, {
    commonName: names[0] ?? '',
    subjectAltNames: names,
    usages: ['server', 'client'],
    notBefore: from,
    notAfter: new Date(from.getTime() + hours * HOUR),
  });
  return { ...leaf, bundle: ca.cert };
}

const ready = { generation: 1, ready: { status: 'True', reason: 'Ready', observedGeneration: 1 } };

function input(over: Partial<IssuedInput> = {}): IssuedInput {
  return {
    names: NAMES,
    certificates: { kyc: ready, auth: ready },
    secrets: { kyc: issued(caA, NAMES.kyc), auth: issued(caA, NAMES.auth) },
    now: T0,
    ...over,
  };
}

describe('assessIssued', () => {
  it('when every Certificate is Ready and its Secret carries its names, then ready, with the issuer CA as the bundle and the expiries of the Secrets', () => {
    const secrets = { kyc: issued(caA, NAMES.kyc), auth: issued(caA, NAMES.auth, 300) };
    const a = assessIssued(input({ secrets }));
    expect(a).toMatchObject({ usable: true, ready: true, waiting: [] });
    expect(a.bundle).toBe(`${caA.cert.trim()}\n`);
    expect(a.expiries.map((e) => [e.name, e.notAfter.toISOString()])).toEqual([
      ['ca', new Date(T0.getTime() + 1000 * HOUR).toISOString()],
      ['kyc', new Date(T0.getTime() + 720 * HOUR).toISOString()],
      ['auth', new Date(T0.getTime() + 300 * HOUR).toISOString()],
    ]);
    expect(a.expiries[1]?.serialNumber).toBe(readCertificate(secrets.kyc.cert as string).serialNumber);
    // Looked at again when cert-manager renews the first (2/3 of 300 h), at the latest in 10 minutes.
    expect(a.nextCheckAt).toEqual(new Date(T0.getTime() + 10 * 60_000));
    const soon = assessIssued(
      input({ secrets: { kyc: issued(caA, NAMES.kyc), auth: issued(caA, NAMES.auth, 0.5, new Date(T0.getTime() - 15 * 60_000)) } }),
    );
    expect(soon.nextCheckAt).toEqual(new Date(T0.getTime() + 5 * 60_000 + 30_000));
  });

  it('when a Secret does not exist yet, then not usable (the rollout waits) and the component is named', () => {
    const a = assessIssued(input({ secrets: { kyc: issued(caA, NAMES.kyc) }, certificates: { kyc: ready, auth: { generation: 1 } } }));
    expect(a).toMatchObject({ usable: false, ready: false, waiting: [{ component: 'auth', why: 'its Secret holds no certificate yet' }] });
    expect(a.nextCheckAt).toEqual(new Date(T0.getTime() + 10_000));
  });

  it('when a Secret has no ca.crt or a key of another certificate, then not usable', () => {
    const noCa = assessIssued(input({ secrets: { kyc: { ...issued(caA, NAMES.kyc), bundle: undefined }, auth: issued(caA, NAMES.auth) } }));
    expect(noCa.usable).toBe(false);
    expect(noCa.waiting[0]?.why).toMatch(/no ca\.crt/);
    const otherKey = { ...issued(caA, NAMES.kyc), key: issued(caA, NAMES.kyc).key };
    expect(assessIssued(input({ secrets: { kyc: otherKey, auth: issued(caA, NAMES.auth) } })).usable).toBe(false);
  });

  it('when a Certificate’s Ready is of an older generation or False, or its Secret lacks a new name, then usable but not ready', () => {
    const stale = assessIssued(input({ certificates: { kyc: { ...ready, generation: 2 }, auth: ready } }));
    expect(stale).toMatchObject({ usable: true, ready: false, waiting: [{ component: 'kyc', why: 'its Certificate is not Ready' }] });
    const failing = { generation: 1, ready: { status: 'False', reason: 'Failed', message: 'issuer not found', observedGeneration: 1 } };
    expect(assessIssued(input({ certificates: { kyc: ready, auth: failing } })).waiting).toEqual([
      { component: 'auth', why: 'its Certificate is not Ready (Failed: issuer not found)' },
    ]);
    const renamed = assessIssued(input({ names: { ...NAMES, auth: ['acme-auth', 'acme-auth-preview'] } }));
    expect(renamed.waiting).toEqual([{ component: 'auth', why: 'its Secret does not carry the component’s names yet' }]);
  });

  it('when the Secrets name two CAs (the issuer renewed its CA), then the bundle holds both and status the first to expire', () => {
    const a = assessIssued(input({ secrets: { kyc: issued(caA, NAMES.kyc), auth: issued(caB, NAMES.auth) } }));
    expect(splitBundle(a.bundle ?? '')).toHaveLength(2);
    expect(a.expiries[0]).toMatchObject({ name: 'ca', notAfter: new Date(T0.getTime() + 500 * HOUR) });
    expect(a.ready).toBe(true);
  });
});
