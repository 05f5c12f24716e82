// An API server in memory, for unit tests of what stands on the client (informers, the reconciler):
// objects with uids, resourceVersions from one counter (as etcd revisions), generations, a status
// subresource, delete preconditions, label-selected lists and watches that replay from a version.
// Tests drive what a real server does on its own: watch events held back and delivered late, a
// compaction that answers old versions with 410 Gone, failures of one verb. Used only by tests (testing/ is left out of the build).
import { ApiError, type KubeClient, type KubeResource, type ResourceType, type WatchEvent } from '../kube.js';

export interface FakeWrite {
  verb: 'create' | 'apply' | 'patch' | 'delete';
  kind: string;
  name: string;
  subresource?: string;
}

interface Watcher {
  type: ResourceType;
  namespace: string;
  selector: string | undefined;
  onEvent: (event: WatchEvent) => void;
  close: (error?: Error) => void;
}

interface Recorded {
  plural: string;
  event: WatchEvent;
}

type Verb = FakeWrite['verb'] | 'get' | 'list' | 'watch';

export class FakeKube {
  /** Every write the server accepted, in order (a steady state is one that adds none). */
  readonly writes: FakeWrite[] = [];
  private readonly objects = new Map<string, KubeResource>();
  private readonly history: Recorded[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly held: (() => void)[] = [];
  private readonly failures: { verb: Verb; kind?: string; name?: string; error: Error }[] = [];
  private revision = 100;
  private compactedAt = 0;
  private holding = false;
  private listsPaused = false;
  private readonly pausedLists: (() => void)[] = [];
  private uids = 0;

  /** The fake, typed as the client it stands in for (KubeClient is a class with private connection state). */
  asClient(): KubeClient {
    return this as unknown as KubeClient;
  }

  close(): void {
    this.watchers.clear();
  }

  /** The current revision: the resourceVersion of the newest write. */
  get resourceVersion(): string {
    return String(this.revision);
  }

  /** Makes the next request of this verb (on this kind and name, when given) fail with `error`. */
  failNext(verb: Verb, error: Error, match: { kind?: string; name?: string } = {}): void {
    this.failures.push({ verb, error, ...match });
  }

  /** From now on, watch events wait for deliver(): a watch that lags behind the writes. */
  hold(): void {
    this.holding = true;
  }

  /** Delivers the held watch events, in order, and stops holding. */
  deliver(): void {
    this.holding = false;
    for (const send of this.held.splice(0)) send();
  }

  /** Forgets the history up to now: a watch from an older version is answered 410 Gone. */
  compact(): void {
    this.compactedAt = this.revision;
    this.history.length = 0;
  }

  /** Sends an event to every open watch of this kind at once, as it is (an ERROR, a stale copy). */
  send(type: ResourceType, event: WatchEvent): void {
    for (const watcher of [...this.watchers]) if (watcher.type.plural === type.plural) watcher.onEvent(clone(event));
  }

  /** Ends every open watch as the server does after its timeout (or, with `error`, as a broken connection). */
  closeWatches(error?: Error): void {
    for (const watcher of [...this.watchers]) watcher.close(error);
  }

  /** From now on a list answers with the state at its request, but only when resumeLists() is called. */
  pauseLists(): void {
    this.listsPaused = true;
  }

  /** Watches open now. */
  get openWatchCount(): number {
    return this.watchers.size;
  }

  /** Lists waiting for resumeLists(). */
  get pausedListCount(): number {
    return this.pausedLists.length;
  }

  resumeLists(): void {
    this.listsPaused = false;
    for (const resume of this.pausedLists.splice(0)) resume();
  }

  /** Sets an object's status as its own controller would (the Deployment controller counting pods). */
  setStatus(type: ResourceType, namespace: string, name: string, status: unknown): KubeResource {
    const current = this.require(type, namespace, name);
    return this.store(type, { ...current, status }, 'MODIFIED');
  }

  /** The stored object, or undefined. */
  peek<T extends KubeResource>(type: ResourceType, namespace: string, name: string): T | undefined {
    return this.objects.get(keyOf(type, namespace, name)) as T | undefined;
  }

  /** Every stored object of this kind in the namespace, by name. */
  peekAll<T extends KubeResource>(type: ResourceType, namespace: string): T[] {
    return [...this.objects.values()]
      .filter((o) => matches(o, type, namespace, undefined))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)) as T[];
  }

  /** Lists made, pages included. */
  listCount = 0;

  /** Every read, in order: a GET, or a list (each page), by kind. */
  readonly reads: { verb: 'get' | 'list'; kind: string }[] = [];

  /** A list; with `limit`, a page of it (the continue token is the offset of the next page, by name). */
  async list<T extends KubeResource>(
    type: ResourceType,
    namespace: string,
    options: { labelSelector?: string; limit?: number; continue?: string } = {},
  ): Promise<{ items: T[]; resourceVersion: string; continue?: string }> {
    this.listCount += 1;
    this.reads.push({ verb: 'list', kind: type.kind });
    // A page after the first fails as the request of that name (failNext's `name` is a continue token).
    await this.maybeFail('list', type.kind, options.continue);
    const all = [...this.objects.values()]
      .filter((o) => matches(o, type, namespace, options.labelSelector))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const from = Number(options.continue ?? 0);
    const to = options.limit ? from + options.limit : all.length;
    const items = all.slice(from, to).map((o) => clone(o) as T);
    const resourceVersion = this.resourceVersion;
    if (this.listsPaused) await new Promise<void>((resume) => this.pausedLists.push(resume));
    return { items, resourceVersion, continue: to < all.length ? String(to) : undefined };
  }

  async get<T extends KubeResource>(type: ResourceType, namespace: string, name: string): Promise<T | undefined> {
    this.reads.push({ verb: 'get', kind: type.kind });
    await this.maybeFail('get', type.kind, name);
    const object = this.objects.get(keyOf(type, namespace, name));
    return object ? (clone(object) as T) : undefined;
  }

  async create<T extends KubeResource>(type: ResourceType, namespace: string, object: KubeResource): Promise<T> {
    await this.maybeFail('create', type.kind, object.metadata.name);
    if (this.objects.has(keyOf(type, namespace, object.metadata.name)))
      throw new ApiError(`${type.kind} ${object.metadata.name} already exists`, 409, 'AlreadyExists');
    this.writes.push({ verb: 'create', kind: type.kind, name: object.metadata.name });
    return clone(this.store(type, this.fresh(type, { ...object, metadata: { ...object.metadata, namespace } }), 'ADDED')) as T;
  }

  /**
   * Server-side apply, simplified: the applied fields replace the stored ones (labels and annotations
   * merge); the status subresource replaces only the status. A write that changes nothing keeps the
   * resourceVersion, as a real no-op apply does.
   */
  async apply<T extends KubeResource>(type: ResourceType, object: KubeResource, _fieldManager: string, subresource?: string): Promise<T> {
    const { namespace = '', name } = object.metadata;
    await this.maybeFail('apply', type.kind, name);
    this.writes.push({ verb: 'apply', kind: type.kind, name, ...(subresource ? { subresource } : {}) });
    const current = this.objects.get(keyOf(type, namespace, name));
    if (subresource === 'status') {
      if (!current) throw new ApiError(`${type.kind} ${name} not found`, 404, 'NotFound');
      return clone(this.update(type, current, { ...current, status: object.status })) as T;
    }
    if (!current) return clone(this.store(type, this.fresh(type, object), 'ADDED')) as T;
    const { metadata, status: _ignored, ...fields } = object;
    const next: KubeResource = {
      ...current,
      ...fields,
      metadata: {
        ...current.metadata,
        labels: { ...current.metadata.labels, ...metadata.labels },
        annotations: { ...current.metadata.annotations, ...metadata.annotations },
        ...(metadata.ownerReferences ? { ownerReferences: metadata.ownerReferences } : {}),
      },
    };
    return clone(this.update(type, current, next)) as T;
  }

  /** JSON merge patch (RFC 7386): null removes a key. */
  async mergePatch<T extends KubeResource>(type: ResourceType, namespace: string, name: string, patch: unknown): Promise<T> {
    await this.maybeFail('patch', type.kind, name);
    this.writes.push({ verb: 'patch', kind: type.kind, name });
    const current = this.require(type, namespace, name);
    return clone(this.update(type, current, mergePatch(current, patch) as KubeResource)) as T;
  }

  async delete(type: ResourceType, namespace: string, name: string, uid?: string): Promise<void> {
    await this.maybeFail('delete', type.kind, name);
    const current = this.objects.get(keyOf(type, namespace, name));
    if (!current) return;
    if (uid && current.metadata.uid !== uid)
      throw new ApiError(`precondition failed: uid in precondition: ${uid}, uid in object meta: ${current.metadata.uid}`, 409, 'Conflict');
    this.writes.push({ verb: 'delete', kind: type.kind, name });
    this.objects.delete(keyOf(type, namespace, name));
    this.revision += 1;
    this.record(type, {
      type: 'DELETED',
      object: { ...clone(current), metadata: { ...current.metadata, resourceVersion: this.resourceVersion } },
    });
  }

  /**
   * Replays the history after `resourceVersion`, then sends every change until `signal` aborts, when
   * it rejects as the real client does. A version older than the last compaction: 410 Gone.
   */
  async watch(
    type: ResourceType,
    namespace: string,
    options: { resourceVersion: string; labelSelector?: string },
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    await this.maybeFail('watch', type.kind);
    const from = Number(options.resourceVersion || 0);
    if (from < this.compactedAt) throw new ApiError(`too old resource version: ${from} (${this.compactedAt})`, 410, 'Expired');
    for (const { plural, event } of this.history) {
      if (
        plural === type.plural &&
        Number(event.object.metadata.resourceVersion) > from &&
        matches(event.object, type, namespace, options.labelSelector)
      )
        onEvent(clone(event));
    }
    await new Promise<void>((resolve, reject) => {
      const watcher: Watcher = {
        type,
        namespace,
        selector: options.labelSelector,
        onEvent,
        close: (error) => {
          this.watchers.delete(watcher);
          signal.removeEventListener('abort', aborted);
          if (error) reject(error);
          else resolve();
        },
      };
      const aborted = (): void => watcher.close(new ApiError(`watch ${type.plural}: aborted`, 0));
      this.watchers.add(watcher);
      if (signal.aborted) aborted();
      else signal.addEventListener('abort', aborted, { once: true });
    });
  }

  private fresh(type: ResourceType, object: KubeResource): KubeResource {
    this.uids += 1;
    return {
      ...clone(object),
      apiVersion: type.apiVersion,
      kind: type.kind,
      metadata: { ...clone(object.metadata), uid: `uid-${this.uids}`, generation: 1, creationTimestamp: '2026-01-01T00:00:00Z' },
    };
  }

  /** Stores `next` in place of `current` when anything changed; the generation follows the spec. */
  private update(type: ResourceType, current: KubeResource, next: KubeResource): KubeResource {
    const { resourceVersion: _rv, ...nextMeta } = next.metadata;
    const { resourceVersion: _crv, ...currentMeta } = current.metadata;
    if (JSON.stringify({ ...next, metadata: nextMeta }) === JSON.stringify({ ...current, metadata: currentMeta })) return current;
    const specChanged = JSON.stringify(withoutStatus(next)) !== JSON.stringify(withoutStatus(current));
    const generation = (current.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    return this.store(type, { ...next, metadata: { ...next.metadata, generation } }, 'MODIFIED');
  }

  private store(type: ResourceType, object: KubeResource, event: 'ADDED' | 'MODIFIED'): KubeResource {
    this.revision += 1;
    const stored = { ...object, metadata: { ...object.metadata, resourceVersion: this.resourceVersion } };
    this.objects.set(keyOf(type, stored.metadata.namespace ?? '', stored.metadata.name), stored);
    this.record(type, { type: event, object: clone(stored) });
    return stored;
  }

  private record(type: ResourceType, event: WatchEvent): void {
    this.history.push({ plural: type.plural, event });
    this.notify(type, event, true);
  }

  /** An event goes to the watches open when it happened; a held one is lost if its watch closed meanwhile. */
  private notify(type: ResourceType, event: WatchEvent, filter: boolean): void {
    const targets = [...this.watchers].filter(
      (w) => w.type.plural === type.plural && (!filter || matches(event.object, type, w.namespace, w.selector)),
    );
    const send = (): void => {
      for (const watcher of targets) if (this.watchers.has(watcher)) watcher.onEvent(clone(event));
    };
    if (this.holding) this.held.push(send);
    else send();
  }

  private require(type: ResourceType, namespace: string, name: string): KubeResource {
    const current = this.objects.get(keyOf(type, namespace, name));
    if (!current) throw new ApiError(`${type.kind} ${namespace}/${name} not found`, 404, 'NotFound');
    return current;
  }

  private async maybeFail(verb: Verb, kind: string, name?: string): Promise<void> {
    // A request is asynchronous: let other work run, as the network would.
    await Promise.resolve();
    const index = this.failures.findIndex((f) => f.verb === verb && (!f.kind || f.kind === kind) && (!f.name || f.name === name));
    if (index < 0) return;
    const [failure] = this.failures.splice(index, 1);
    if (failure) throw failure.error;
  }
}

function keyOf(type: ResourceType, namespace: string, name: string): string {
  return `${type.plural}|${type.namespaced ? namespace : ''}|${name}`;
}

function matches(object: KubeResource, type: ResourceType, namespace: string, selector: string | undefined): boolean {
  if (object.kind !== type.kind) return false;
  if (namespace && type.namespaced && object.metadata.namespace !== namespace) return false;
  for (const term of (selector ?? '').split(',').filter(Boolean)) {
    const [key = '', value] = term.split('=');
    if (object.metadata.labels?.[key] !== value) return false;
  }
  return true;
}

/** What the generation counts: everything but the status and the metadata. */
function withoutStatus(object: KubeResource): unknown {
  const { status: _status, metadata: _metadata, ...rest } = object;
  return rest;
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}
