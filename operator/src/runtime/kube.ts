// A thin Kubernetes REST client: list, watch, get, server-side apply, create, replace, delete.
// Built on node:http(s) with keep-alive agents; the server and credentials come from kubeconfig.ts
// (kubeconfig file or in-cluster service account). Every request is counted by verb and
// resource in the operator's metrics, which is how tests prove that a resync makes no writes.
import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import { loadEndpoint, type KubeEndpoint } from './kubeconfig.js';
import type { OperatorMetrics } from './metrics.js';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
  [k: string]: unknown;
}

export interface KubeResource {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
}

/** Where a kind lives in the REST API. */
export interface ResourceType {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
export interface WatchEvent {
  type: WatchEventType;
  object: KubeResource;
}

/** An error answer from the API server (or a failure to reach it: status 0). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly reason?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ApiError';
  }
}

export const isNotFound = (error: unknown): boolean => error instanceof ApiError && error.status === 404;
export const isConflict = (error: unknown): boolean => error instanceof ApiError && error.status === 409;
export const isGone = (error: unknown): boolean => error instanceof ApiError && error.status === 410;

/**
 * True when the error, or one of the causes it wraps ("apply Deployment x", { cause }), is a 409: someone
 * wrote the object in between. A controller retries that as a matter of course (docs/operator.md).
 */
export function causedByConflict(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth += 1) {
    if (isConflict(current)) return true;
  }
  return false;
}

/** The REST path of a collection or one object. */
export function resourcePath(type: ResourceType, namespace?: string, name?: string, subresource?: string): string {
  const base = type.apiVersion.includes('/') ? `/apis/${type.apiVersion}` : `/api/${type.apiVersion}`;
  const ns = type.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const obj = name ? `/${encodeURIComponent(name)}` : '';
  const sub = name && subresource ? `/${subresource}` : '';
  return `${base}${ns}/${type.plural}${obj}${sub}`;
}

interface RequestOptions {
  verb: string;
  method: string;
  type: ResourceType;
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
  timeoutMs?: number;
}

interface Connection {
  server: URL;
  tls: https.RequestOptions;
  headers: Record<string, string>;
  loadedAt: number;
}

/** Credentials (tokens of in-cluster service accounts rotate) are re-read at least this often. */
const CREDENTIALS_TTL_MS = 60_000;

export class KubeClient {
  private connection?: Connection;
  private readonly requestAgent: http.Agent;
  private readonly watchAgent: http.Agent;

  constructor(
    private readonly endpoint: KubeEndpoint,
    private readonly metrics?: OperatorMetrics,
  ) {
    const secure = endpoint.server.startsWith('https:');
    const Agent = secure ? https.Agent : http.Agent;
    this.requestAgent = new Agent({ keepAlive: true, maxSockets: 64 });
    this.watchAgent = new Agent({ keepAlive: false });
  }

  /** A client for the given kubeconfig file, or in-cluster / default discovery when it is empty. */
  static fromConfig(kubeconfig: string, metrics?: OperatorMetrics): KubeClient {
    return new KubeClient(loadEndpoint(kubeconfig), metrics);
  }

  close(): void {
    this.requestAgent.destroy();
    this.watchAgent.destroy();
  }

  /**
   * A list, whole, or with `limit` one page of it: `continue` then names the next page (absent on the
   * last), and every page is of the same snapshot (the server's resourceVersion of the first).
   */
  async list<T extends KubeResource>(
    type: ResourceType,
    namespace: string,
    options: { labelSelector?: string; limit?: number; continue?: string } = {},
  ): Promise<{ items: T[]; resourceVersion: string; continue?: string }> {
    const body = (await this.request({
      verb: 'list',
      method: 'GET',
      type,
      path: resourcePath(type, namespace),
      query: { labelSelector: options.labelSelector, limit: options.limit?.toString(), continue: options.continue },
      timeoutMs: 120_000,
    })) as { items?: T[]; metadata?: { resourceVersion?: string; continue?: string } };
    const items = (body.items ?? []).map((item) => ({ ...item, apiVersion: type.apiVersion, kind: type.kind }));
    return { items, resourceVersion: body.metadata?.resourceVersion ?? '', continue: body.metadata?.continue || undefined };
  }

  async get<T extends KubeResource>(type: ResourceType, namespace: string, name: string): Promise<T | undefined> {
    try {
      return (await this.request({ verb: 'get', method: 'GET', type, path: resourcePath(type, namespace, name) })) as T;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Server-side apply (force: the operator owns the fields it sets). */
  async apply<T extends KubeResource>(type: ResourceType, object: KubeResource, fieldManager: string, subresource?: string): Promise<T> {
    return (await this.request({
      verb: 'apply',
      method: 'PATCH',
      type,
      path: resourcePath(type, object.metadata.namespace, object.metadata.name, subresource),
      query: { fieldManager, force: 'true' },
      body: object,
      // JSON is YAML, so the apply-patch content type accepts the JSON body as is.
      contentType: 'application/apply-patch+yaml',
    })) as T;
  }

  /** JSON merge patch (RFC 7386) of an object or one of its subresources. */
  async mergePatch<T extends KubeResource>(
    type: ResourceType,
    namespace: string,
    name: string,
    patch: unknown,
    subresource?: string,
  ): Promise<T> {
    return (await this.request({
      verb: 'patch',
      method: 'PATCH',
      type,
      path: resourcePath(type, namespace, name, subresource),
      body: patch,
      contentType: 'application/merge-patch+json',
    })) as T;
  }

  async create<T extends KubeResource>(type: ResourceType, namespace: string, object: unknown): Promise<T> {
    return (await this.request({ verb: 'create', method: 'POST', type, path: resourcePath(type, namespace), body: object })) as T;
  }

  /** PUT with the object's resourceVersion: fails with 409 when someone else wrote in between. */
  async replace<T extends KubeResource>(type: ResourceType, object: KubeResource): Promise<T> {
    return (await this.request({
      verb: 'update',
      method: 'PUT',
      type,
      path: resourcePath(type, object.metadata.namespace, object.metadata.name),
      body: object,
    })) as T;
  }

  /** Deletes an object; `uid` makes sure a newer object of the same name is left alone. Absent = done. */
  async delete(type: ResourceType, namespace: string, name: string, uid?: string): Promise<void> {
    try {
      await this.request({
        verb: 'delete',
        method: 'DELETE',
        type,
        path: resourcePath(type, namespace, name),
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', ...(uid ? { preconditions: { uid } } : {}) },
      });
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
  }

  /**
   * Opens a watch. `onEvent` gets every event; the returned promise settles when the server closes the
   * stream (resolve) or the connection fails (reject). `signal` aborts it.
   */
  async watch(
    type: ResourceType,
    namespace: string,
    options: { resourceVersion: string; labelSelector?: string; timeoutSeconds: number },
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const connection = await this.connect();
    const url = this.url(connection, resourcePath(type, namespace), {
      watch: 'true',
      allowWatchBookmarks: 'true',
      resourceVersion: options.resourceVersion,
      labelSelector: options.labelSelector,
      timeoutSeconds: String(options.timeoutSeconds),
    });
    this.count('watch', type, 0);
    await new Promise<void>((resolve, reject) => {
      const req = this.transport(connection).request(url, {
        ...connection.tls,
        method: 'GET',
        agent: this.watchAgent,
        headers: { ...connection.headers, Accept: 'application/json' },
        signal,
      });
      // The server closes the watch after timeoutSeconds; a silent connection past that is dead.
      req.setTimeout((options.timeoutSeconds + 30) * 1000, () => req.destroy(new Error('watch went silent')));
      req.on('error', (error) => reject(new ApiError(`watch ${type.plural}: ${error.message}`, 0, undefined, { cause: error })));
      req.on('response', (res) => {
        if (res.statusCode !== 200) {
          readBody(res)
            .then((text) => reject(apiErrorFrom(`watch ${type.plural}`, res.statusCode ?? 0, text)))
            .catch(reject);
          return;
        }
        const lines = createInterface({ input: res, crlfDelay: Infinity });
        // readline re-emits the stream's errors (e.g. "aborted" when the watch is stopped).
        lines.on('error', (error) => reject(new ApiError(`watch ${type.plural}: ${error.message}`, 0, undefined, { cause: error })));
        lines.on('line', (line) => {
          if (!line) return;
          let event: WatchEvent;
          try {
            event = JSON.parse(line) as WatchEvent;
          } catch (error) {
            req.destroy(new Error('watch sent a line that is not JSON', { cause: error }));
            return;
          }
          onEvent(event);
        });
        res.on('error', (error) => reject(new ApiError(`watch ${type.plural}: ${error.message}`, 0, undefined, { cause: error })));
        res.on('close', () => (res.complete ? resolve() : reject(new ApiError(`watch ${type.plural}: connection closed early`, 0))));
      });
      req.end();
    });
  }

  private async connect(): Promise<Connection> {
    if (this.connection && Date.now() - this.connection.loadedAt < CREDENTIALS_TTL_MS) return this.connection;
    const { tls, headers } = await this.endpoint.credentials();
    this.connection = { server: new URL(this.endpoint.server), tls, headers, loadedAt: Date.now() };
    return this.connection;
  }

  private transport(connection: Connection): typeof https | typeof http {
    return connection.server.protocol === 'https:' ? https : http;
  }

  private url(connection: Connection, path: string, query: Record<string, string | undefined> = {}): URL {
    const url = new URL(connection.server.toString().replace(/\/$/, '') + path);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') url.searchParams.set(key, value);
    }
    return url;
  }

  private count(verb: string, type: ResourceType, code: number, startedNs?: bigint): void {
    this.metrics?.apiRequests.inc({ verb, resource: type.plural, code: String(code) });
    if (startedNs !== undefined)
      this.metrics?.apiRequestDuration.observe({ verb, resource: type.plural }, Number(process.hrtime.bigint() - startedNs) / 1e9);
  }

  private async request(options: RequestOptions): Promise<unknown> {
    try {
      return await this.requestOnce(options);
    } catch (error) {
      // A pooled keep-alive connection the server closed (e.g. it restarted) fails on first use:
      // one immediate retry on a fresh connection. Every call the operator makes is safe to repeat.
      const code = ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code;
      if (error instanceof ApiError && error.status === 0 && (code === 'ECONNRESET' || code === 'EPIPE')) return this.requestOnce(options);
      throw error;
    }
  }

  private async requestOnce(options: RequestOptions): Promise<unknown> {
    const connection = await this.connect();
    const url = this.url(connection, options.path, options.query);
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const what = `${options.verb} ${options.type.plural} ${options.path}`;
    const started = process.hrtime.bigint();
    try {
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = this.transport(connection).request(url, {
          ...connection.tls,
          method: options.method,
          agent: this.requestAgent,
          headers: {
            ...connection.headers,
            Accept: 'application/json',
            ...(payload !== undefined
              ? { 'Content-Type': options.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(payload) }
              : {}),
          },
        });
        req.setTimeout(options.timeoutMs ?? 30_000, () => req.destroy(new Error('request timed out')));
        req.on('error', reject);
        req.on('response', (res) => {
          readBody(res)
            .then((body) => resolve({ status: res.statusCode ?? 0, text: body }))
            .catch(reject);
        });
        req.end(payload);
      });
      this.count(options.verb, options.type, status, started);
      if (status >= 400) throw apiErrorFrom(what, status, text);
      return text ? (JSON.parse(text) as unknown) : undefined;
    } catch (error) {
      if (error instanceof ApiError) throw error;
      this.count(options.verb, options.type, 0, started);
      throw new ApiError(`${what}: ${(error as Error).message}`, 0, undefined, { cause: error });
    }
  }
}

async function readBody(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function apiErrorFrom(what: string, status: number, text: string): ApiError {
  let reason: string | undefined;
  let message = text.slice(0, 500);
  try {
    const parsed = JSON.parse(text) as { reason?: string; message?: string };
    reason = parsed.reason;
    if (parsed.message) message = parsed.message;
  } catch {
    // Not a Status object: keep the raw text.
  }
  return new ApiError(`${what}: ${status} ${message}`, status, reason);
}
