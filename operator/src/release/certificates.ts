// The platform's certificates (docs/security.md, "TLS between the components"): given the CA Secret and the
// leaf Secrets as they are, the names each component must carry, the validities, the rotate annotation and
// the time, what to (re)issue this pass. Pure: the reconcile (reconcile/certificates.ts) makes the keys and
// writes the Secrets; one step per call, and every wait is a time to look again.
//
//   no CA / broken CA ──────────────▶ issue a CA, every leaf at once (nothing trusted the old one anyway)
//   CA past 2/3 of its life ────────▶ renew: new CA, bundle = new + previous; leaves keep their old-CA certs
//        │ every leaf Secret carries the two-CA bundle for `overlapMs` (the pods have reloaded it)
//        ▼
//   leaves re-issued by the new CA ─▶ after `overlapMs` (the pods serve the new leaves) ─▶ bundle = new CA only
//
// A leaf is re-issued when it is missing or broken, not signed by a CA of the bundle, its names differ from
// the Services', it is past 2/3 of its life, its validity is not the spec's, or the rotate annotation has a
// value its Secret has not recorded yet. Only missing or untrusted leaves are re-issued while a bundle is
// still being distributed: a new leaf signed by a CA the peers do not trust yet would fail their calls.
import type { ComponentName } from '../api/components.js';
import {
  canonicalName,
  issueCa,
  issueLeaf,
  issuedByBundle,
  keyMatches,
  readCertificate,
  splitBundle,
  type CertificateFacts,
} from '../api/x509.js';

/** On the KycPlatform: any new value re-issues every leaf once (the CA is kept). */
export const ROTATE_ANNOTATION = 'kyc.dev/rotate-certificates';
/** On a leaf Secret: the rotate annotation's value when the leaf was issued (so one value rotates once). */
export const ROTATED_FOR_ANNOTATION = 'kyc.dev/rotated-for';
/** On a Secret: when its trust bundle last changed (RFC 3339); the overlap of a CA renewal counts from it. */
export const BUNDLE_SINCE_ANNOTATION = 'kyc.dev/bundle-since';
/** Certificates start this long before they are issued: a node's clock a little behind still accepts them. */
export const BACKDATE_MS = 5 * 60_000;

/** A Secret as the decision sees it: decoded PEM, and its annotations. */
export interface ObservedSecret {
  cert?: string | undefined;
  key?: string | undefined;
  /** ca.crt: the trust bundle. */
  bundle?: string | undefined;
  annotations?: Readonly<Record<string, string>> | undefined;
}

export interface CertificateInput {
  ca: ObservedSecret | undefined;
  leaves: Partial<Record<ComponentName, ObservedSecret>>;
  /** The SANs each enabled component's certificate must carry (render/tls.ts). */
  names: Partial<Record<ComponentName, readonly string[]>>;
  leafValidityMs: number;
  caValidityMs: number;
  /** How long a new bundle or new leaves are given to reach every pod before the next step. */
  overlapMs: number;
  /** The KycPlatform's rotate annotation ('' when absent). */
  rotateRequest: string;
  now: Date;
}

export type CaStep =
  | { action: 'keep' }
  | { action: 'issue'; reason: string }
  | { action: 'renew'; reason: string }
  | { action: 'drop-previous'; reason: string };

export type LeafReason = 'missing' | 'untrusted' | 'names' | 'validity' | 'expiring' | 'requested' | 'ca-renewed' | 'ca-replaced';

export interface CertificatePlan {
  ca: CaStep;
  /** Leaves to issue now, signed by the CA in force after `ca` (the bundle of every leaf Secret follows the CA Secret's). */
  issue: { component: ComponentName; reason: LeafReason }[];
  /** When to look again (the next 2/3 point or the end of an overlap). */
  nextCheckAt: Date;
}

const URGENT: readonly LeafReason[] = ['missing', 'untrusted'];

/** The facts of a PEM certificate, or undefined when there is none or it cannot be read. */
export function parse(pem: string | undefined): CertificateFacts | undefined {
  if (!pem) return undefined;
  try {
    return readCertificate(pem);
  } catch {
    return undefined;
  }
}

function renewAt(facts: CertificateFacts): number {
  const from = facts.notBefore.getTime() + BACKDATE_MS;
  return from + ((facts.notAfter.getTime() - from) * 2) / 3;
}

function since(secret: ObservedSecret | undefined): number {
  const value = secret?.annotations?.[BUNDLE_SINCE_ANNOTATION];
  const time = value ? Date.parse(value) : NaN;
  return Number.isNaN(time) ? 0 : time;
}

/** Why the CA Secret cannot be used as it is, if it cannot. */
function brokenCa(secret: ObservedSecret | undefined, now: Date): string | undefined {
  if (!secret?.cert || !secret.key) return 'no CA yet';
  const facts = parse(secret.cert);
  if (!facts?.ca) return 'the CA Secret holds no CA certificate';
  try {
    if (!keyMatches(secret.cert, secret.key)) return 'the CA key does not match its certificate';
  } catch {
    return 'the CA key cannot be read';
  }
  if (facts.notAfter.getTime() <= now.getTime()) return 'the CA has expired';
  if (!secret.bundle || !splitBundle(secret.bundle).includes(secret.cert)) return 'the trust bundle does not hold the CA';
  return undefined;
}

/** The same SANs, whatever their order and spelling (canonicalName). */
export function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a.map(canonicalName));
  const right = new Set(b.map(canonicalName));
  return left.size === right.size && [...left].every((n) => right.has(n));
}

/** Why a leaf must be issued again, or undefined; `caCert` is the CA in force, `bundle` the CA Secret's bundle. */
function leafReason(
  input: CertificateInput,
  leaf: ObservedSecret | undefined,
  names: readonly string[],
  caCert: string,
  bundle: string,
): LeafReason | undefined {
  const facts = parse(leaf?.cert);
  if (!leaf?.cert || !leaf.key || !facts) return 'missing';
  try {
    if (!keyMatches(leaf.cert, leaf.key)) return 'missing';
  } catch {
    return 'missing';
  }
  if (facts.notAfter.getTime() <= input.now.getTime() || !issuedByBundle(leaf.cert, bundle)) return 'untrusted';
  if (!issuedByBundle(leaf.cert, caCert)) return 'ca-renewed';
  if (!sameNames(facts.subjectAltNames, names)) return 'names';
  const lifetime = facts.notAfter.getTime() - facts.notBefore.getTime() - BACKDATE_MS;
  if (Math.abs(lifetime - input.leafValidityMs) > 60_000) return 'validity';
  if (input.now.getTime() >= renewAt(facts)) return 'expiring';
  if ((leaf.annotations?.[ROTATED_FOR_ANNOTATION] ?? '') !== input.rotateRequest) return 'requested';
  return undefined;
}

export function planCertificates(input: CertificateInput): CertificatePlan {
  const now = input.now.getTime();
  const components = Object.keys(input.names) as ComponentName[];
  const wakeUps: number[] = [];
  const broken = brokenCa(input.ca, input.now);
  if (broken) {
    // Nothing can be trusted across a new CA that was never announced: every leaf now.
    return {
      ca: { action: 'issue', reason: broken },
      issue: components.map((component) => ({ component, reason: 'ca-replaced' })),
      nextCheckAt: new Date(now + input.overlapMs),
    };
  }
  const ca = input.ca as Required<Pick<ObservedSecret, 'cert' | 'key' | 'bundle'>> & ObservedSecret;
  const caFacts = readCertificate(ca.cert);
  const renewing = splitBundle(ca.bundle).length > 1;
  // The bundle is out everywhere once every leaf Secret carries it and `overlapMs` has passed since the last one did.
  const bundleOut = components.every((c) => input.leaves[c]?.bundle === ca.bundle);
  const bundleSettledAt = Math.max(since(ca), ...components.map((c) => since(input.leaves[c]))) + input.overlapMs;
  const settled = bundleOut && now >= bundleSettledAt;
  if (!settled) wakeUps.push(bundleSettledAt);

  const reasons = components.map((component) => ({
    component,
    reason: leafReason(input, input.leaves[component], input.names[component] ?? [], ca.cert, ca.bundle),
  }));
  const issue = reasons
    .filter((r): r is { component: ComponentName; reason: LeafReason } => r.reason !== undefined)
    .filter((r) => settled || URGENT.includes(r.reason));

  let step: CaStep = { action: 'keep' };
  if (!renewing && now >= renewAt(caFacts)) {
    step = { action: 'renew', reason: `the CA is past 2/3 of its life (until ${caFacts.notAfter.toISOString()})` };
  } else if (renewing && settled && reasons.every((r) => r.reason !== 'ca-renewed' && r.reason !== 'untrusted' && r.reason !== 'missing')) {
    // Every leaf is the new CA's; the last of them has had `overlapMs` to reach its pods.
    const lastIssued = Math.max(...components.map((c) => (parse(input.leaves[c]?.cert)?.notBefore.getTime() ?? 0) + BACKDATE_MS));
    if (issue.length === 0 && now >= lastIssued + input.overlapMs)
      step = { action: 'drop-previous', reason: 'every leaf is signed by the new CA' };
    else wakeUps.push(lastIssued + input.overlapMs);
  } else if (!renewing) wakeUps.push(renewAt(caFacts));

  for (const component of components) {
    const facts = parse(input.leaves[component]?.cert);
    if (facts) wakeUps.push(renewAt(facts));
  }
  const next = Math.min(...wakeUps.filter((t) => t > now), now + input.leafValidityMs);
  return { ca: step, issue: step.action === 'renew' ? issue.filter((r) => URGENT.includes(r.reason)) : issue, nextCheckAt: new Date(next) };
}

/** The Secrets' contents after a plan, and which of them changed (the reconcile writes only those). */
export interface IssuedSecrets {
  ca: ObservedSecret & { changed: boolean };
  leaves: Partial<Record<ComponentName, ObservedSecret & { changed: boolean }>>;
}

/**
 * Carries a plan out in memory: new keys and certificates (random, so not a pure function, but no I/O).
 * `caName` names the CA in its subject (a renewal gets a new serial and a new date in its name).
 */
export function carryOut(input: CertificateInput, plan: CertificatePlan, caName: string): IssuedSecrets {
  const now = input.now;
  const stamp = now.toISOString();
  const validity = (ms: number): { notBefore: Date; notAfter: Date } => ({
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + ms),
  });
  let ca: IssuedSecrets['ca'] = { ...input.ca, changed: false };
  if (plan.ca.action === 'issue' || plan.ca.action === 'renew') {
    const fresh = issueCa(`${caName} ${stamp}`.slice(0, 64), validity(input.caValidityMs));
    const previous = plan.ca.action === 'renew' && input.ca?.cert ? input.ca.cert : '';
    ca = { ...fresh, bundle: fresh.cert + previous, annotations: { [BUNDLE_SINCE_ANNOTATION]: stamp }, changed: true };
  } else if (plan.ca.action === 'drop-previous') {
    ca = { ...ca, bundle: ca.cert, annotations: { ...ca.annotations, [BUNDLE_SINCE_ANNOTATION]: stamp }, changed: true };
  }
  const signer = { cert: ca.cert as string, key: ca.key as string };
  const bundle = ca.bundle as string;
  const leaves: IssuedSecrets['leaves'] = {};
  for (const [component, names = []] of Object.entries(input.names) as [ComponentName, readonly string[]][]) {
    const current = input.leaves[component];
    const reissue = plan.issue.some((i) => i.component === component);
    const fresh = reissue
      ? issueLeaf(signer, {
          commonName: names[0] ?? component,
          subjectAltNames: names,
          usages: ['server', 'client'],
          ...validity(input.leafValidityMs),
        })
      : { cert: current?.cert, key: current?.key };
    const bundleChanged = current?.bundle !== bundle;
    const annotations = {
      ...current?.annotations,
      ...(reissue && { [ROTATED_FOR_ANNOTATION]: input.rotateRequest }),
      ...(bundleChanged && { [BUNDLE_SINCE_ANNOTATION]: stamp }),
    };
    leaves[component] = { ...fresh, bundle, annotations, changed: reissue || bundleChanged };
  }
  return { ca, leaves };
}
