// Certificates issued by cert-manager (spec.tls.issuerRef; docs/security.md, "Certificates from
// cert-manager"): given each component's Certificate status and the Secret cert-manager wrote, whether the
// platform may roll out, whether its certificates are ready, the trust bundle the pods and the operator
// verify with, and the expiries for status.certificates. Pure: reconcile/cert-manager.ts reads and writes.
//
// cert-manager issues and renews; the operator only waits. A component whose Secret holds no usable key
// pair holds the whole rollout (a pod would not start without it); a Certificate not Ready yet for its
// current spec (a new name, a re-issue in flight) makes CertificatesReady False while the pods keep
// serving the certificate they have.
import { COMPONENTS, type ComponentName } from '../api/components.js';
import { keyMatches, splitBundle, type CertificateFacts } from '../api/x509.js';
import { parse, sameNames, type ObservedSecret } from './certificates.js';

/** A cert-manager Certificate as the decision sees it: its generation and Ready condition. */
export interface ObservedCertificate {
  generation?: number | undefined;
  ready?:
    { status: string; reason?: string | undefined; message?: string | undefined; observedGeneration?: number | undefined } | undefined;
}

export interface IssuedInput {
  /** The SANs each enabled component's certificate must carry (render/tls.ts). */
  names: Partial<Record<ComponentName, readonly string[]>>;
  certificates: Partial<Record<ComponentName, ObservedCertificate | undefined>>;
  secrets: Partial<Record<ComponentName, ObservedSecret | undefined>>;
  now: Date;
}

export interface IssuedExpiry {
  name: 'ca' | ComponentName;
  notAfter: Date;
  serialNumber: string;
}

export interface IssuedAssessment {
  /** Every Secret holds a key pair and a trust bundle: the pods can start. */
  usable: boolean;
  /** Every Certificate is Ready for its current spec and its Secret carries the component's names. */
  ready: boolean;
  /** Why a component is not ready, in component order. */
  waiting: { component: ComponentName; why: string }[];
  /** The distinct CAs of the Secrets' ca.crt (component order), or undefined while none has one. */
  bundle: string | undefined;
  /** The issuer's CA (the first to expire when the Secrets name several) and each component's certificate. */
  expiries: IssuedExpiry[];
  nextCheckAt: Date;
}

/** Not ready: look again soon (cert-manager issues within seconds). */
const PENDING_CHECK_MS = 10_000;
/** Ready: look again at least this often, so a renewal by cert-manager reaches status and the bundle. */
const READY_CHECK_MS = 10 * 60_000;

/** Why the Secret cannot serve, if it cannot. */
function unusable(secret: ObservedSecret | undefined, now: Date): string | undefined {
  const facts = parse(secret?.cert);
  if (!secret?.cert || !secret.key || !facts) return 'its Secret holds no certificate yet';
  try {
    if (!keyMatches(secret.cert, secret.key)) return 'its Secret holds a key that is not its certificate’s';
  } catch {
    return 'its Secret holds a key that cannot be read';
  }
  if (!secret.bundle || splitBundle(secret.bundle).length === 0) return 'its Secret holds no ca.crt (the issuer does not publish its CA)';
  if (facts.notAfter.getTime() <= now.getTime()) return `its certificate expired at ${facts.notAfter.toISOString()}`;
  return undefined;
}

function notReady(input: IssuedInput, component: ComponentName): string | undefined {
  const certificate = input.certificates[component];
  if (!certificate) return 'its Certificate does not exist yet';
  const ready = certificate.ready;
  const current = ready !== undefined && (ready.observedGeneration ?? 0) >= (certificate.generation ?? 0);
  if (!current || ready.status !== 'True')
    return `its Certificate is not Ready${ready && current ? ` (${ready.reason ?? ready.status}: ${ready.message ?? ''})` : ''}`;
  const facts = parse(input.secrets[component]?.cert);
  if (!facts || !sameNames(facts.subjectAltNames, input.names[component] ?? []))
    return 'its Secret does not carry the component’s names yet';
  return undefined;
}

export function assessIssued(input: IssuedInput): IssuedAssessment {
  const now = input.now.getTime();
  const components = COMPONENTS.filter((c) => input.names[c] !== undefined);
  const waiting: IssuedAssessment['waiting'] = [];
  let usable = true;
  for (const component of components) {
    const broken = unusable(input.secrets[component], input.now);
    if (broken) usable = false;
    const why = broken ?? notReady(input, component);
    if (why) waiting.push({ component, why });
  }
  const cas = [...new Set(components.flatMap((c) => splitBundle(input.secrets[c]?.bundle ?? '').map((pem) => `${pem.trim()}\n`)))];
  const expiries: IssuedExpiry[] = [];
  const caFacts = cas.map(parse).filter((f): f is CertificateFacts => f !== undefined);
  const soonestCa = caFacts.reduce<CertificateFacts | undefined>((a, f) => (a && a.notAfter <= f.notAfter ? a : f), undefined);
  if (soonestCa) expiries.push({ name: 'ca', notAfter: soonestCa.notAfter, serialNumber: soonestCa.serialNumber });
  const renewals: number[] = [];
  for (const component of components) {
    const facts = parse(input.secrets[component]?.cert);
    if (!facts) continue;
    expiries.push({ name: component, notAfter: facts.notAfter, serialNumber: facts.serialNumber });
    // cert-manager renews at 2/3 of the life (renewBefore is a third, render/cert-manager.ts).
    const from = facts.notBefore.getTime();
    renewals.push(from + ((facts.notAfter.getTime() - from) * 2) / 3);
  }
  const ready = waiting.length === 0;
  const next = ready ? Math.min(now + READY_CHECK_MS, ...renewals.filter((t) => t > now).map((t) => t + 30_000)) : now + PENDING_CHECK_MS;
  return { usable, ready, waiting, bundle: cas.length > 0 ? cas.join('') : undefined, expiries, nextCheckAt: new Date(next) };
}
