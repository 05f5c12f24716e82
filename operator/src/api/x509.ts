// X.509 for the operator's two certificate authorities: the external metrics API's (its CA becomes the
// APIService caBundle, metrics-api/registration.ts) and each platform's (a CA and one leaf per component,
// docs/security.md, "TLS between the components"). Node.js can make keys but not certificates, so this
// file writes the few DER structures of X.509 itself (RFC 5280): ECDSA P-256 keys, SHA-256 signatures.
// It lives in api, the one floor both metrics-api and the platform's reconcile may import.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
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

/** IPv4 or IPv6 text to its bytes (iPAddress GeneralName, RFC 5280 4.2.1.6). */
function ipBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number));
  const [head = '', tail] = address.split('::');
  const groups = (part: string): number[] => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const words = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return Buffer.from(words.flatMap((w) => [w >> 8, w & 0xff]));
}

function subjectAltNames(names: readonly string[]): Buffer {
  return sequence(...names.map((n) => (isIP(n) ? tlv(0x87, ipBytes(n)) : tlv(0x82, Buffer.from(n, 'ascii')))));
}

/** SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2, method 1): how a verifier tells two CAs of one name apart. */
function keyIdentifier(spki: Buffer): Buffer {
  // The subjectPublicKey bits of a P-256 key are its uncompressed point 04 || x || y.
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(key.x ?? '', 'base64url'), Buffer.from(key.y ?? '', 'base64url')]);
  return createHash('sha1').update(point).digest();
}

const EKU = { server: '1.3.6.1.5.5.7.3.1', client: '1.3.6.1.5.5.7.3.2' } as const;
export type KeyUsage = keyof typeof EKU;

interface CertificateRequest {
  commonName: string;
  publicKey: KeyObject;
  issuer: { commonName: string; key: KeyObject; publicKey: KeyObject };
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
  dnsNames?: readonly string[];
  /** Extended key usages of a leaf (default: TLS server). */
  usages?: readonly KeyUsage[];
  serial?: Buffer;
}

/** 16 random bytes, positive (RFC 5280 4.1.2.2: unique per CA, at most 20 octets). */
export function randomSerial(): Buffer {
  const serial = randomBytes(16);
  serial[0] = ((serial[0] as number) & 0x7f) | 0x01;
  return serial;
}

function certificate(request: CertificateRequest): string {
  const serial = request.serial ?? randomSerial();
  const spki = request.publicKey.export({ type: 'spki', format: 'der' });
  const issuerSpki = request.issuer.publicKey.export({ type: 'spki', format: 'der' });
  const identifiers = [
    extension('2.5.29.14', false, octets(keyIdentifier(spki))), // subjectKeyIdentifier
    extension('2.5.29.35', false, sequence(tlv(0x80, keyIdentifier(issuerSpki)))), // authorityKeyIdentifier [0] keyIdentifier
  ];
  const extensions = request.ca
    ? [
        extension('2.5.29.19', true, sequence(boolean(true))), // basicConstraints CA:TRUE
        extension('2.5.29.15', true, bitString(Buffer.from([0x86]), 1)), // digitalSignature, keyCertSign, cRLSign
        ...identifiers,
      ]
    : [
        extension('2.5.29.19', true, sequence()), // CA:FALSE
        extension('2.5.29.15', true, bitString(Buffer.from([0x80]), 7)), // digitalSignature
        extension('2.5.29.37', false, sequence(...(request.usages ?? ['server']).map((u) => oid(EKU[u])))), // serverAuth / clientAuth
        extension('2.5.29.17', false, subjectAltNames(request.dnsNames ?? [])),
        ...identifiers,
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

/** A certificate and its private key (PKCS#8), both PEM. */
export interface KeyPair {
  cert: string;
  key: string;
}

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

const newKey = (): { publicKey: KeyObject; privateKey: KeyObject } => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (key: KeyObject): string => key.export({ type: 'pkcs8', format: 'pem' }) as string;
const commonNameOf = (cert: X509Certificate): string => cert.subject.replace(/^CN=/, '');

/** A self-signed CA (ECDSA P-256, SHA-256), with a fresh key. */
export function issueCa(commonName: string, validity: Validity, serial?: Buffer): KeyPair {
  const { publicKey, privateKey } = newKey();
  const cert = certificate({ commonName, publicKey, issuer: { commonName, key: privateKey, publicKey }, ...validity, ca: true, serial });
  return { cert, key: pem(privateKey) };
}

export interface LeafRequest extends Validity {
  commonName: string;
  /** DNS names and IP addresses (v4 or v6). */
  subjectAltNames: readonly string[];
  usages: readonly KeyUsage[];
  serial?: Buffer;
}

/** A leaf signed by `ca`, with a fresh key. */
export function issueLeaf(ca: KeyPair, request: LeafRequest): KeyPair {
  const { publicKey, privateKey } = newKey();
  const caCert = new X509Certificate(ca.cert);
  const cert = certificate({
    commonName: request.commonName,
    publicKey,
    issuer: { commonName: commonNameOf(caCert), key: createPrivateKey(ca.key), publicKey: caCert.publicKey },
    notBefore: request.notBefore,
    notAfter: request.notAfter,
    ca: false,
    dnsNames: request.subjectAltNames,
    usages: request.usages,
    serial: request.serial,
  });
  return { cert, key: pem(privateKey) };
}

/** What the operator reads back from a certificate it wrote. */
export interface CertificateFacts {
  /** Upper-case hex, as Node.js and `openssl x509 -serial` print it. */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** DNS names and IP addresses, in the certificate's order. */
  subjectAltNames: string[];
  ca: boolean;
}

export function readCertificate(certPem: string): CertificateFacts {
  const cert = new X509Certificate(certPem);
  return {
    serialNumber: cert.serialNumber.toUpperCase(),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    subjectAltNames: (cert.subjectAltName ?? '')
      .split(', ')
      .filter((s) => s !== '')
      .map((s) => s.replace(/^DNS:|^IP Address:/, '')),
    ca: cert.ca,
  };
}

/** A SAN as readCertificate spells it: IPv6 addresses in full (0:0:0:0:0:0:0:1), everything lower case. */
export function canonicalName(name: string): string {
  if (isIP(name) !== 6) return name.toLowerCase();
  const bytes = ipBytes(name);
  return Array.from({ length: 8 }, (_, i) => (((bytes[2 * i] as number) << 8) | (bytes[2 * i + 1] as number)).toString(16)).join(':');
}

/** The certificates of a PEM bundle, in order. */
export function splitBundle(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
}

/** Whether one of the CAs of `bundle` signed `certPem` (the signature and the issuer's name). */
export function issuedByBundle(certPem: string, bundle: string): boolean {
  const cert = new X509Certificate(certPem);
  return splitBundle(bundle).some((caPem) => {
    const ca = new X509Certificate(caPem);
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  });
}

/** Whether `keyPem` is the private key of `certPem`. */
export function keyMatches(certPem: string, keyPem: string): boolean {
  return new X509Certificate(certPem).publicKey.equals(createPublicKey(createPrivateKey(keyPem)));
}

export interface ServingBundle {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

const DAY_MS = 86_400_000;

/** A new CA, valid ten years. */
export function createCa(now: Date, commonName = 'kyc-operator-external-metrics-ca'): { caCert: string; caKey: string } {
  const { cert, key } = issueCa(commonName, {
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: new Date(now.getTime() + 3650 * DAY_MS),
  });
  return { caCert: cert, caKey: key };
}

/** A serving certificate for `dnsNames` signed by the CA, valid `days`. */
export function createServingCert(
  ca: { caCert: string; caKey: string },
  dnsNames: readonly string[],
  now: Date,
  days = 365,
  usage: KeyUsage = 'server',
): { cert: string; key: string } {
  return issueLeaf(
    { cert: ca.caCert, key: ca.caKey },
    {
      commonName: dnsNames[0] ?? 'kyc-operator',
      subjectAltNames: dnsNames,
      usages: [usage],
      notBefore: new Date(now.getTime() - 3_600_000),
      notAfter: new Date(now.getTime() + days * DAY_MS),
    },
  );
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
