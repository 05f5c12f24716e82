// TLS between the platform's components (docs/workloads.md, "TLS between the components"). When
// KYC_TLS_DIR is set, the operator has mounted the component's certificate Secret there: tls.crt (the
// leaf), tls.key (its key) and ca.crt (the platform's trust bundle). Every listener serves HTTPS with
// that pair, TLS 1.3 at least, and every call to a peer trusts ca.crt alone.
//
// The operator renews the certificates while the pods run and never restarts them for it: the kubelet
// swaps the Secret volume's `..data` symlink at once, so all three files change together. The files
// are read again every 5 s; a new set is checked, then put into every server (`setSecureContext`:
// connections already open keep their session, new ones get the new certificate) and the trust bundle
// for new outbound connections is replaced. A set that does not hold together (a read that straddled
// the swap, a certificate that is not the key's) is refused: the old context stays, an error is logged
// (never with key material), and the next different content is tried again.
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { Server as TlsServer, TlsOptions } from 'node:tls';
import type { Logger } from './logger.js';

/** The lowest protocol version anything of the platform speaks, serving or calling (docs/security.md). */
export const TLS_MIN_VERSION = 'TLSv1.3';

/** How often the directory is read again; a renewed certificate is in use within this time. */
export const TLS_RELOAD_INTERVAL_MS = 5000;

/** The three files of a kubernetes.io/tls Secret with its trust bundle, as the operator writes them. */
export interface TlsMaterial {
  /** tls.crt: the component's certificate (PEM). */
  cert: string;
  /** tls.key: its private key (PEM). */
  key: string;
  /** ca.crt: the certificates a peer's certificate must chain to (PEM, one or more). */
  ca: string;
}

/** What a checked set tells the logs: nothing secret. */
export interface TlsSummary {
  serial: string;
  notAfter: string;
  names: string;
}

export async function readTlsMaterial(dir: string): Promise<TlsMaterial> {
  const [cert, key, ca] = await Promise.all(['tls.crt', 'tls.key', 'ca.crt'].map((file) => readFile(join(dir, file), 'utf8')));
  return { cert: cert as string, key: key as string, ca: ca as string };
}

/** A digest of the whole set: a change of any file is a new set. */
export function fingerprint(material: TlsMaterial): string {
  return createHash('sha256').update(material.cert).update('\0').update(material.key).update('\0').update(material.ca).digest('hex');
}

/**
 * Throws unless the set can serve: the certificate parses, the key is its key, the bundle holds at
 * least one certificate, and OpenSSL accepts them together. The messages name the file, never the key.
 */
export function checkTlsMaterial(material: TlsMaterial): TlsSummary {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(material.cert);
  } catch {
    throw new Error('tls.crt is not a PEM certificate');
  }
  let key;
  try {
    key = createPrivateKey(material.key);
  } catch {
    throw new Error('tls.key is not a PEM private key');
  }
  if (!certificate.checkPrivateKey(key))
    throw new Error(`tls.key is not the key of the certificate in tls.crt (serial ${certificate.serialNumber})`);
  try {
    new X509Certificate(material.ca);
  } catch {
    throw new Error('ca.crt holds no PEM certificate');
  }
  try {
    createSecureContext(serverOptionsOf(material));
  } catch (error) {
    // OpenSSL's reason (a code and a phrase), never the bytes it was given.
    throw new Error(`the certificate files are refused by OpenSSL: ${(error as Error).message}`);
  }
  return { serial: certificate.serialNumber, notAfter: certificate.validTo, names: certificate.subjectAltName ?? '' };
}

/** What a listener serves with: the pair, TLS 1.3 at least (clients offering only older versions fail the handshake). */
export function serverOptionsOf(material: TlsMaterial): TlsOptions {
  return { cert: material.cert, key: material.key, minVersion: TLS_MIN_VERSION };
}

/** What a call to a peer needs besides the name to check: the platform's bundle as the only trust, TLS 1.3 at least. */
export interface PeerTrust {
  /** The trust bundle in force now (ca.crt); it changes when the files are renewed. */
  ca(): string;
}

export interface ServiceTlsOptions {
  logger: Logger;
  /** Default TLS_RELOAD_INTERVAL_MS (the tests renew faster). */
  intervalMs?: number;
  read?: (dir: string) => Promise<TlsMaterial>;
}

/** The component's certificate and trust bundle from KYC_TLS_DIR, kept current while the process runs. */
export class ServiceTls implements PeerTrust {
  private readonly servers = new Set<TlsServer>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  /** The content last read, whether it was taken or refused (a refused set is not tried again until it changes). */
  private lastSeen: string;

  private constructor(
    readonly dir: string,
    private material: TlsMaterial,
    private summary: TlsSummary,
    private readonly options: ServiceTlsOptions & { read: (dir: string) => Promise<TlsMaterial> },
  ) {
    this.lastSeen = fingerprint(material);
  }

  /**
   * Reads and checks the set once; throws when it is missing or unusable (a component told to serve TLS
   * must not start serving without it, let alone in plain text).
   */
  static async load(dir: string, options: ServiceTlsOptions): Promise<ServiceTls> {
    const read = options.read ?? readTlsMaterial;
    let material: TlsMaterial;
    try {
      material = await read(dir);
    } catch (error) {
      // The code (ENOENT, EACCES) goes into the message: the dispatcher prints only that when start-up fails.
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new Error(`KYC_TLS_DIR ${dir}: cannot read tls.crt, tls.key and ca.crt (${reason})`, { cause: error });
    }
    let summary: TlsSummary;
    try {
      summary = checkTlsMaterial(material);
    } catch (error) {
      throw new Error(`KYC_TLS_DIR ${dir}: ${(error as Error).message}`);
    }
    options.logger.info({ dir, ...summary }, 'serving TLS');
    return new ServiceTls(dir, material, summary, { ...options, read });
  }

  /** The leaf in use now (serial, expiry, names), for logs and tests. */
  get current(): TlsSummary {
    return this.summary;
  }

  ca(): string {
    return this.material.ca;
  }

  serverOptions(): TlsOptions {
    return serverOptionsOf(this.material);
  }

  /** Keeps `server`'s certificate current from now on (it must have been made with serverOptions()). */
  serve(server: TlsServer): void {
    this.servers.add(server);
    server.once('close', () => this.servers.delete(server));
  }

  /** Polls the directory every intervalMs until stop(). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.options.intervalMs ?? TLS_RELOAD_INTERVAL_MS);
    // The poll alone never keeps the process alive.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads the files once and takes them if they changed and hold together; one poll at a time. */
  poll(): Promise<void> {
    this.polling ??= this.reload().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async reload(): Promise<void> {
    let material: TlsMaterial;
    try {
      material = await this.options.read(this.dir);
    } catch (error) {
      // Between two reads the symlink may be swapped, or a file briefly absent: the next poll reads again.
      this.options.logger.warn({ dir: this.dir, err: error }, 'could not read the TLS files; keeping the current certificate');
      return;
    }
    const seen = fingerprint(material);
    if (seen === this.lastSeen) return;
    this.lastSeen = seen;
    let summary: TlsSummary;
    try {
      summary = checkTlsMaterial(material);
    } catch (error) {
      this.options.logger.error(
        { dir: this.dir, reason: (error as Error).message, serial: this.summary.serial },
        'the renewed TLS files are not a usable set; keeping the current certificate',
      );
      return;
    }
    const previous = this.summary;
    this.material = material;
    this.summary = summary;
    const options = serverOptionsOf(material);
    for (const server of this.servers) server.setSecureContext(options);
    this.options.logger.info({ dir: this.dir, ...summary, previousSerial: previous.serial }, 'TLS certificate reloaded');
  }
}
