// The serving certificate of the external metrics API: a small CA (its certificate becomes the
// APIService caBundle) and a serving certificate it signs for the Service's DNS names. Node.js can
// make keys but not certificates, so this file writes the few DER structures of X.509 itself
// (RFC 5280): ECDSA P-256 keys, SHA-256 signatures.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

// ---- DER encoding ----
function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, content: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), length(content.length), content]);
const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const explicit = (n: number, content: Buffer): Buffer => tlv(0xa0 + n, content);
const octets = (content: Buffer): Buffer => tlv(0x04, content);
const bitString = (content: Buffer, unusedBits = 0): Buffer => tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), content]));
const boolean = (value: boolean): Buffer => tlv(0x01, Buffer.from([value ? 0xff : 0]));
const utf8 = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));

function integer(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && ((b[1] as number) & 0x80) === 0) b = b.subarray(1);
  if (((b[0] as number) & 0x80) !== 0) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes: number[] = [(parts[0] as number) * 40 + (parts[1] as number)];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f];
    for (let v = part >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function time(date: Date): Buffer {
  const iso = date.toISOString(); // 2026-11-26T12:00:00.000Z
  const compact = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  // UTCTime until 2049, GeneralizedTime after (RFC 5280 4.1.2.5).
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(compact)) : tlv(0x18, Buffer.from(`${iso.slice(0, 2)}${compact}`));
}

const name = (commonName: string): Buffer => sequence(set(sequence(oid('2.5.4.3'), utf8(commonName))));
const ECDSA_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));
const extension = (id: string, critical: boolean, value: Buffer): Buffer =>
  sequence(oid(id), ...(critical ? [boolean(true)] : []), octets(value));

function subjectAltNames(names: readonly string[]): Buffer {
  return sequence(
    ...names.map((n) => {
      const family = isIP(n);
      if (family === 4) return tlv(0x87, Buffer.from(n.split('.').map(Number)));
      if (family === 6) throw new Error('IPv6 SANs are not supported');
      return tlv(0x82, Buffer.from(n, 'ascii'));
    }),
  );
}

interface CertificateRequest {
  commonName: string;
  publicKey: KeyObject;
  issuer: { commonName: string; key: KeyObject };
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
  dnsNames?: readonly string[];
  /** Extended key usage of a leaf: TLS server (default) or TLS client. */
  usage?: 'server' | 'client';
}

function certificate(request: CertificateRequest): string {
  const serial = randomBytes(16);
  serial[0] = (serial[0] as number) & 0x7f;
  const spki = request.publicKey.export({ type: 'spki', format: 'der' });
  const extensions = request.ca
    ? [
        extension('2.5.29.19', true, sequence(boolean(true))), // basicConstraints CA:TRUE
        extension('2.5.29.15', true, bitString(Buffer.from([0x86]), 1)), // digitalSignature, keyCertSign, cRLSign
      ]
    : [
        extension('2.5.29.19', true, sequence()), // CA:FALSE
        extension('2.5.29.15', true, bitString(Buffer.from([0x80]), 7)), // digitalSignature
        extension('2.5.29.37', false, sequence(oid(request.usage === 'client' ? '1.3.6.1.5.5.7.3.2' : '1.3.6.1.5.5.7.3.1'))), // serverAuth / clientAuth
        extension('2.5.29.17', false, subjectAltNames(request.dnsNames ?? [])),
      ];
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    ECDSA_SHA256,
    name(request.issuer.commonName),
    sequence(time(request.notBefore), time(request.notAfter)),
    name(request.commonName),
    spki,
    explicit(3, sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, request.issuer.key); // DER-encoded ECDSA signature
  const der = sequence(tbs, ECDSA_SHA256, bitString(signature));
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

export interface ServingBundle {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

const DAY_MS = 86_400_000;
const pem = (key: KeyObject): string => key.export({ type: 'pkcs8', format: 'pem' }) as string;

/** A new CA, valid ten years. */
export function createCa(now: Date, commonName = 'kyc-operator-external-metrics-ca'): { caCert: string; caKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caCert = certificate({
    commonName,
    publicKey,
    issuer: { commonName, key: privateKey },
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: new Date(now.getTime() + 3650 * DAY_MS),
    ca: true,
  });
  return { caCert, caKey: pem(privateKey) };
}

/** A serving certificate for `dnsNames` signed by the CA, valid `days`. */
export function createServingCert(
  ca: { caCert: string; caKey: string },
  dnsNames: readonly string[],
  now: Date,
  days = 365,
  usage: 'server' | 'client' = 'server',
): { cert: string; key: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caName = new X509Certificate(ca.caCert).subject.replace(/^CN=/, '');
  const cert = certificate({
    commonName: dnsNames[0] ?? 'kyc-operator',
    publicKey,
    issuer: { commonName: caName, key: createPrivateKey(ca.caKey) },
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: new Date(now.getTime() + days * DAY_MS),
    ca: false,
    dnsNames,
    usage,
  });
  return { cert, key: pem(privateKey) };
}

/**
 * Whether a bundle must be (re)issued: missing, not signed by its CA, not covering the names, or in
 * the last third of its life (rotation well before expiry). A CA near its own end is replaced too.
 */
export function needsRotation(
  bundle: Partial<ServingBundle> | undefined,
  dnsNames: readonly string[],
  now: Date,
): 'ca' | 'serving' | undefined {
  if (!bundle?.caCert || !bundle.caKey) return 'ca';
  let ca: X509Certificate;
  try {
    ca = new X509Certificate(bundle.caCert);
    if (!ca.publicKey.equals(createPublicKey(createPrivateKey(bundle.caKey)))) return 'ca';
  } catch {
    return 'ca';
  }
  if (lifeUsed(ca, now) > 2 / 3) return 'ca';
  if (!bundle.cert || !bundle.key) return 'serving';
  try {
    const cert = new X509Certificate(bundle.cert);
    if (!cert.verify(ca.publicKey)) return 'serving';
    if (!cert.publicKey.equals(createPublicKey(createPrivateKey(bundle.key)))) return 'serving';
    const sans = (cert.subjectAltName ?? '').split(', ').map((s) => s.replace(/^DNS:|^IP Address:/, ''));
    if (!dnsNames.every((n) => sans.includes(n))) return 'serving';
    if (lifeUsed(cert, now) > 2 / 3) return 'serving';
  } catch {
    return 'serving';
  }
  return undefined;
}

function lifeUsed(cert: X509Certificate, now: Date): number {
  const from = new Date(cert.validFrom).getTime();
  const to = new Date(cert.validTo).getTime();
  return (now.getTime() - from) / (to - from);
}
