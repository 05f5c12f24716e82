import { describe, expect, it } from '@jest/globals';
import type { ComponentName } from '../api/components.js';
import { issueCa, issueLeaf, issuedByBundle, readCertificate, splitBundle } from '../api/x509.js';
import {
  BUNDLE_SINCE_ANNOTATION,
  carryOut,
  planCertificates,
  ROTATED_FOR_ANNOTATION,
  type CertificateInput,
  type CertificatePlan,
  type IssuedSecrets,
  type ObservedSecret,
} from './certificates.js';

const T0 = new Date('2026-11-26T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const sans = (c: ComponentName): string[] => [`demo-${c}`, `demo-${c}.kyc`, `demo-${c}.kyc.svc`, `demo-${c}.kyc.svc.cluster.local`];
const NAMES = { gateway: [...sans('gateway'), 'localhost', '127.0.0.1'], kyc: sans('kyc'), auth: sans('auth') };

/** The cluster as the operator left it: what carryOut returned, without the bookkeeping. */
interface World {
  ca: ObservedSecret | undefined;
  leaves: Partial<Record<ComponentName, ObservedSecret>>;
}

const input = (world: World, now: Date, overrides: Partial<CertificateInput> = {}): CertificateInput => ({
  ...world,
  names: NAMES,
  leafValidityMs: 30 * DAY,
  caValidityMs: 365 * DAY,
  overlapMs: 5 * 60_000,
  rotateRequest: '',
  now,
  ...overrides,
});

function strip(issued: IssuedSecrets): World {
  const { changed: _c, ...ca } = issued.ca;
  const leaves = Object.fromEntries(Object.entries(issued.leaves).map(([c, { changed: _l, ...leaf }]) => [c, leaf]));
  return { ca, leaves };
}

/** One pass: plan, carry out, and the world after it. */
function pass(
  world: World,
  now: Date,
  overrides: Partial<CertificateInput> = {},
): { plan: CertificatePlan; world: World; issued: IssuedSecrets } {
  const i = input(world, now, overrides);
  const plan = planCertificates(i);
  const issued = carryOut(i, plan, 'kyc-platform kyc/demo CA');
  return { plan, world: strip(issued), issued };
}

const reasons = (plan: CertificatePlan): Record<string, string> => Object.fromEntries(plan.issue.map((i) => [i.component, i.reason]));
const fresh = (): World => pass({ ca: undefined, leaves: {} }, T0).world;

describe('the platform certificates', () => {
  it('when nothing exists, then a CA and every leaf at once, each verifiable against the bundle with its names', () => {
    const { plan, world, issued } = pass({ ca: undefined, leaves: {} }, T0);
    expect(plan.ca).toEqual({ action: 'issue', reason: 'no CA yet' });
    expect(reasons(plan)).toEqual({ gateway: 'ca-replaced', kyc: 'ca-replaced', auth: 'ca-replaced' });
    expect(issued.ca.changed && issued.leaves.kyc?.changed).toBe(true);
    const kyc = world.leaves.kyc as Required<ObservedSecret>;
    expect(issuedByBundle(kyc.cert, kyc.bundle)).toBe(true);
    expect(kyc.bundle).toBe(world.ca?.cert);
    expect(readCertificate(kyc.cert).subjectAltNames).toEqual(sans('kyc'));
    expect(readCertificate(kyc.cert).notAfter).toEqual(at(30 * DAY));
    expect(readCertificate(world.leaves.gateway?.cert as string).subjectAltNames).toContain('127.0.0.1');
  });

  it('when everything is in order, then nothing is issued and the next look is at 2/3 of the leaves’ life', () => {
    const { plan, issued } = pass(fresh(), at(HOUR));
    expect(plan).toEqual({ ca: { action: 'keep' }, issue: [], nextCheckAt: at(20 * DAY) });
    expect(Object.values(issued.leaves).some((l) => l.changed) || issued.ca.changed).toBe(false);
  });

  it('when a Service name is added, then only that component’s leaf is issued again, by the same CA', () => {
    const world = fresh();
    const { plan, world: after } = pass(world, at(HOUR), { names: { ...NAMES, kyc: [...sans('kyc'), 'demo-kyc-preview'] } });
    expect(plan.ca.action).toBe('keep');
    expect(reasons(plan)).toEqual({ kyc: 'names' });
    expect(after.ca?.cert).toBe(world.ca?.cert);
    expect(readCertificate(after.leaves.kyc?.cert as string).subjectAltNames).toContain('demo-kyc-preview');
    expect(after.leaves.auth?.cert).toBe(world.leaves.auth?.cert);
  });

  it('when a leaf is past 2/3 of its life, then it is issued again; a new certificateValidity re-issues at once', () => {
    expect(reasons(pass(fresh(), at(20 * DAY + 1)).plan)).toEqual({ gateway: 'expiring', kyc: 'expiring', auth: 'expiring' });
    expect(reasons(pass(fresh(), at(HOUR), { leafValidityMs: 10 * DAY }).plan)).toEqual({
      gateway: 'validity',
      kyc: 'validity',
      auth: 'validity',
    });
  });

  it('when the rotate annotation takes a new value, then every leaf is issued once, with new serials, and the CA is kept', () => {
    const world = fresh();
    const first = pass(world, at(HOUR), { rotateRequest: 'now-1' });
    expect(first.plan.ca.action).toBe('keep');
    expect(reasons(first.plan)).toEqual({ gateway: 'requested', kyc: 'requested', auth: 'requested' });
    expect(first.world.leaves.kyc?.annotations?.[ROTATED_FOR_ANNOTATION]).toBe('now-1');
    expect(readCertificate(first.world.leaves.kyc?.cert as string).serialNumber).not.toBe(
      readCertificate(world.leaves.kyc?.cert as string).serialNumber,
    );
    expect(first.world.ca?.cert).toBe(world.ca?.cert);
    // The value is recorded: the next pass leaves them alone.
    expect(pass(first.world, at(2 * HOUR), { rotateRequest: 'now-1' }).plan.issue).toEqual([]);
  });

  it('when a leaf Secret is deleted or holds a certificate of another CA, then it is issued again', () => {
    const world = fresh();
    const stranger = issueCa('someone else', { notBefore: T0, notAfter: at(DAY) });
    const forged = issueLeaf(stranger, {
      commonName: 'demo-kyc',
      subjectAltNames: sans('kyc'),
      usages: ['server'],
      notBefore: T0,
      notAfter: at(DAY),
    });
    const broken = { ...world, leaves: { ...world.leaves, auth: undefined, kyc: { ...world.leaves.kyc, ...forged } } };
    expect(reasons(pass(broken, at(HOUR)).plan)).toEqual({ kyc: 'untrusted', auth: 'missing' });
  });

  it('when the CA is past 2/3 of its life, then it is renewed with overlap: bundle first, leaves after the overlap, the previous CA dropped last', () => {
    let world = fresh();
    const renewal = at(244 * DAY); // past 2/3 of 365 days
    // The leaves were renewed on schedule meanwhile; here they are fresh at the renewal.
    world = pass(world, at(243 * DAY)).world;
    const oldCa = world.ca?.cert as string;

    // 1. A new CA; every Secret's bundle holds both; no leaf changes yet.
    const step1 = pass(world, renewal);
    expect(step1.plan.ca.action).toBe('renew');
    expect(step1.plan.issue).toEqual([]);
    world = step1.world;
    expect(splitBundle(world.ca?.bundle as string)).toEqual([world.ca?.cert, oldCa]);
    expect(world.leaves.kyc?.bundle).toBe(world.ca?.bundle);
    expect(issuedByBundle(world.leaves.kyc?.cert as string, oldCa)).toBe(true);
    expect(world.leaves.kyc?.annotations?.[BUNDLE_SINCE_ANNOTATION]).toBe(renewal.toISOString());

    // 2. Within the overlap nothing moves, even a requested rotation; the look comes back when it ends.
    const waiting = pass(world, at(244 * DAY + 60_000), { rotateRequest: 'soon' });
    expect(waiting.plan).toEqual({ ca: { action: 'keep' }, issue: [], nextCheckAt: at(244 * DAY + 5 * 60_000) });

    // 3. After it, every leaf is issued by the new CA (the bundle still holds both).
    const step3 = pass(world, at(244 * DAY + 5 * 60_000));
    expect(reasons(step3.plan)).toEqual({ gateway: 'ca-renewed', kyc: 'ca-renewed', auth: 'ca-renewed' });
    world = step3.world;
    expect(issuedByBundle(world.leaves.kyc?.cert as string, world.ca?.cert as string)).toBe(true);
    expect(splitBundle(world.leaves.kyc?.bundle as string)).toHaveLength(2);

    // 4. Once the new leaves had the overlap to reach the pods, the previous CA leaves the bundle.
    expect(pass(world, at(244 * DAY + 6 * 60_000)).plan.ca.action).toBe('keep');
    const step4 = pass(world, at(244 * DAY + 10 * 60_000));
    expect(step4.plan.ca.action).toBe('drop-previous');
    world = step4.world;
    expect(world.ca?.bundle).toBe(world.ca?.cert);
    expect(world.leaves.auth?.bundle).toBe(world.ca?.cert);
    expect(step4.issued.leaves.auth?.changed).toBe(true);
    expect(pass(world, at(245 * DAY)).plan).toMatchObject({ ca: { action: 'keep' }, issue: [] });
  });

  it('when the CA Secret is lost, then a new CA and every leaf at once (nothing trusted the old one)', () => {
    const world = fresh();
    const { plan } = pass({ ...world, ca: { ...world.ca, key: issueCa('x', { notBefore: T0, notAfter: at(DAY) }).key } }, at(HOUR));
    expect(plan.ca).toEqual({ action: 'issue', reason: 'the CA key does not match its certificate' });
    expect(plan.issue).toHaveLength(3);
  });
});
