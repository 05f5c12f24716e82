// A TCP proxy that injects faults between a service started in-process and a real dependency
// (PostgreSQL, Redis, Kafka from `make deps`), so a test breaks the path to one service without
// stopping what other suites share:
//
//   service ──▶ 127.0.0.1:<proxy port> ──▶ target (the real server)
//
//   pass()             bytes flow both ways (held bytes are delivered first, as a thawed server would)
//   freeze()           connections stay open and new ones are accepted, but no byte moves either way;
//                      what is written is held, like the socket buffers of a SIGSTOPped server
//   refuse()           the port stops listening: a new connection gets ECONNREFUSED; open ones carry on
//   resetConnections() every open connection is cut with a TCP RST (ECONNRESET on both sides)
//   closeConnections() every open connection is closed with a FIN (the server "went away")
//
// Kafka clients learn broker addresses from the cluster's metadata and connect there directly, so a
// proxy in front of the bootstrap address alone does not cut Kafka: point KAFKA_BROKERS at a port
// nothing listens on (or a refusing proxy) before the client is created instead.
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export type FaultMode = 'pass' | 'freeze' | 'refuse';

/** One proxied connection: the accepted socket, its socket to the target, and what a freeze held. */
class Link {
  readonly held: { toTarget: Buffer[]; toClient: Buffer[] } = { toTarget: [], toClient: [] };
  private endPending = { toTarget: false, toClient: false };
  private frozen: boolean;

  constructor(
    readonly client: net.Socket,
    readonly target: net.Socket,
    frozen: boolean,
    private readonly onGone: (link: Link) => void,
  ) {
    this.frozen = frozen;
    client.setNoDelay(true);
    target.setNoDelay(true);
    client.on('data', (chunk: Buffer) => this.forward(chunk, 'toTarget'));
    target.on('data', (chunk: Buffer) => this.forward(chunk, 'toClient'));
    client.on('end', () => this.endSide('toTarget'));
    target.on('end', () => this.endSide('toClient'));
    // One side closing is passed on once bytes move again: a reset as a reset, a clean close as a FIN.
    const closed = (other: net.Socket) => (hadError: boolean) => {
      if (!this.frozen && !other.destroyed) {
        if (hadError) other.resetAndDestroy();
        else other.end();
      }
      if (client.destroyed && target.destroyed) this.onGone(this);
    };
    client.on('error', () => undefined).on('close', closed(target));
    target.on('error', () => undefined).on('close', closed(client));
  }

  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    this.frozen = false;
    for (const side of ['toTarget', 'toClient'] as const) {
      const socket = side === 'toTarget' ? this.target : this.client;
      for (const chunk of this.held[side].splice(0)) if (!socket.destroyed) socket.write(chunk);
      if (this.endPending[side]) socket.end();
    }
    // A side that went away during the freeze: the other learns it now, after what was held.
    if (this.client.destroyed && !this.target.destroyed) this.target.end();
    if (this.target.destroyed && !this.client.destroyed) this.client.end();
  }

  reset(): void {
    this.client.resetAndDestroy();
    this.target.resetAndDestroy();
  }

  close(): void {
    this.client.destroySoon();
    this.target.destroySoon();
  }

  private forward(chunk: Buffer, side: 'toTarget' | 'toClient'): void {
    const socket = side === 'toTarget' ? this.target : this.client;
    if (this.frozen) this.held[side].push(chunk);
    else if (!socket.destroyed) socket.write(chunk);
  }

  private endSide(side: 'toTarget' | 'toClient'): void {
    if (this.frozen) this.endPending[side] = true;
    else (side === 'toTarget' ? this.target : this.client).end();
  }
}

export class FaultProxy {
  private server: net.Server | undefined;
  private readonly links = new Set<Link>();
  private currentMode: FaultMode = 'pass';
  /** Connections accepted since start (a reconnecting client shows up here). */
  accepted = 0;

  private constructor(
    readonly targetHost: string,
    readonly targetPort: number,
    public port: number,
  ) {}

  /** Listens on 127.0.0.1 (`port` 0: any free port) and forwards to `target` ("host:port" or a URL's parts). */
  static async start(target: { host: string; port: number }, port = 0): Promise<FaultProxy> {
    const proxy = new FaultProxy(target.host, target.port, port);
    await proxy.listen();
    return proxy;
  }

  get mode(): FaultMode {
    return this.currentMode;
  }

  /** Open connections. */
  get connections(): number {
    return this.links.size;
  }

  /** `url` with its host and port replaced by the proxy's (for DATABASE_URL, REDIS_URL). */
  rewrite(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  async pass(): Promise<void> {
    if (!this.server) await this.listen();
    this.currentMode = 'pass';
    for (const link of this.links) link.thaw();
  }

  async freeze(): Promise<void> {
    if (!this.server) await this.listen();
    this.currentMode = 'freeze';
    for (const link of this.links) link.freeze();
  }

  /** Stops listening (ECONNREFUSED for new connections); open connections are left as they are. */
  async refuse(): Promise<void> {
    this.currentMode = 'refuse';
    const server = this.server;
    this.server = undefined;
    // close() calls back only once every open connection has gone; refusing starts at once.
    if (server) server.close();
    await Promise.resolve();
  }

  resetConnections(): void {
    for (const link of this.links) link.reset();
  }

  closeConnections(): void {
    for (const link of this.links) link.close();
  }

  /** Cuts everything and stops listening. */
  async stop(): Promise<void> {
    this.resetConnections();
    await this.refuse();
  }

  private async listen(): Promise<void> {
    const server = net.createServer({ allowHalfOpen: true }, (client) => {
      this.accepted += 1;
      const target = net.connect({ host: this.targetHost, port: this.targetPort, allowHalfOpen: true });
      const link = new Link(client, target, this.currentMode === 'freeze', (gone) => this.links.delete(gone));
      this.links.add(link);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }
}

/** Host and port of a `postgres://`/`redis://` URL, for `FaultProxy.start`. */
export function targetOf(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  const defaultPort = parsed.protocol.startsWith('redis') ? 6379 : 5432;
  return { host: parsed.hostname, port: parsed.port === '' ? defaultPort : Number(parsed.port) };
}
