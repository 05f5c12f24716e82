// The certificate of the operator's /metrics server (docs/security.md, "The operator's /metrics"): a
// mounted Secret (tls.crt, tls.key in --metrics-cert-dir, e.g. issued by cert-manager, which Prometheus
// can then verify with its CA), or, as controller-runtime does without one, a self-signed certificate
// made at start and kept in memory only (scrapers then skip verification: the bearer token is what
// protects the endpoint).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCa, createServingCert } from '../api/x509.js';
import type { ServingCertificate } from './server.js';

/** The names of a self-signed certificate: the Service of the chart and of operator/deploy, and loopback. */
const SELF_SIGNED_NAMES = ['kyc-operator-metrics', 'localhost', '127.0.0.1'];

export function selfSignedCertificate(now: Date): ServingCertificate {
  const ca = createCa(now, 'kyc-operator-metrics-self-signed');
  return createServingCert(ca, SELF_SIGNED_NAMES, now);
}

/** Reads tls.crt and tls.key from `dir`; throws, naming the file, when one is missing. */
export async function readCertificateDir(dir: string): Promise<ServingCertificate> {
  const read = (file: string): Promise<string> =>
    readFile(join(dir, file), 'utf8').catch((error: unknown) => {
      throw new Error(`read the /metrics serving certificate ${join(dir, file)}`, { cause: error });
    });
  const [cert, key] = await Promise.all([read('tls.crt'), read('tls.key')]);
  return { cert, key };
}
