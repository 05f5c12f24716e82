// A list+watch cache of one kind. Unlike client-node's informer (which stops on any error but 410),
// it restarts on every watch error with backoff and resumes from the last resourceVersion it saw;
// only when that version is too old (410 Gone) does it list again, emitting the differences.
import { Backoff } from './backoff.js';
import { isGone, type KubeClient, type KubeResource, type ResourceType, type WatchEvent } from './kube.js';
import type { Logger } from './logger.js';
import { compact, isCompact, replicasOwnership, StringTable } from './slim.js';

export type InformerEvent = 'add' | 'update' | 'delete';
export type InformerHandler<T extends KubeResource> = (event: InformerEvent, object: T, old?: T) => void;

export interface InformerOptions {
  namespace: string;
  labelSelector?: string;
  /** Seconds the server keeps a watch open; spread a little so that watches do not all reconnect at once. */
  watchTimeoutSeconds?: number;
  backoff?: { baseMs: number; maxMs: number };
  onRestart?: () => void;
  /**
   * Also keep the objects by namespace and this label's value, for listByLabel: the owned kinds by their
   * platform. Filtering every cached object instead was a sixth of the operator's CPU at 1,000 platforms
   * (each pass's prune looked at all 37,000).
   */
  indexLabel?: string;
  /**
   * Keep each object's metadata, status and spec.replicas only, with a digest of the rest (slim.ts,
   * `compact`): the owned kinds, whose bodies the operator compares only to find drift.
   */
  compact?: boolean;
  /** Objects a list asks for at once (LIST_PAGE_SIZE unless set). */
  listPageSize?: number;
  /** Shared by the informers of one process, so that they take their list pages one at a time (ListTurns). */
  listTurns?: ListTurns;
}

/**
 * A list comes in pages of this many objects, each slimmed before the next is asked for: a whole list
 * of an owned kind at 1,000 platforms is tens of MiB of JSON. A page of 500 Deployments (client-go's
 * pager size) was ~7 MiB, held at once as the bytes read, their string and the parsed objects
 * (docs/operator.md, "Memory").
 */
const LIST_PAGE_SIZE = 100;

/**
 * Takes list pages one at a time across the informers that share it: a start (or a relist after a
 * 410 while others list) asks for every kind at once, and each page is largest between its answer and
 * its slimming. A restarted operator over 1,000 platforms, its pages taken so, was ready after 16 s
 * (docs/benchmarks.md).
 */
export class ListTurns {
  private last: Promise<unknown> = Promise.resolve();

  take<R>(work: () => Promise<R>): Promise<R> {
    const turn = this.last.then(work);
    this.last = turn.catch(() => undefined);
    return turn;
  }
}

export function objectKey(object: { metadata: { namespace?: string; name: string } }): string {
  return object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name;
}

/** The namespace and name of a namespaced object's key (objectKey's inverse). */
export function splitKey(key: string): [namespace: string, name: string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}

/** Shared by every cache: the kinds repeat each other's values too (names, labels). */
const strings = new StringTable();

/**
 * The cache keeps objects without most of managedFields: they are often half of an object's size
 * (memory at hundreds of platforms). Only who owns spec.replicas is kept, for the hand-over of that
 * field to an HPA (reconcile/replicas.ts). With `compactBody`, the body goes too (slim.ts, `compact`).
 * What is kept has its repeated string values shared (StringTable).
 */
function slim<T extends KubeResource>(object: T, compactBody: boolean): T {
  // Already compacted (an answer remembered twice): its body is gone, and so is anything to strip.
  if (isCompact(object)) return object;
  let kept = object;
  if ('managedFields' in object.metadata) {
    const { managedFields, ...metadata } = object.metadata;
    const replicaOwners = replicasOwnership(managedFields);
    kept = { ...object, metadata: replicaOwners ? { ...metadata, managedFields: replicaOwners } : metadata };
  }
  if (compactBody) kept = compact(kept);
  strings.internAll(kept);
  return kept;
}

/** True only when both versions are numbers (etcd revisions, in practice) and `a` < `b`. */
function isOlder(a: string | undefined, b: string | undefined): boolean {
  const x = Number(a);
  const y = Number(b);
  return a !== undefined && b !== undefined && Number.isSafeInteger(x) && Number.isSafeInteger(y) && x < y;
}

/** True when `candidate` is newer than `current` (resourceVersions are etcd revisions in practice). */
function isNewer(candidate: string | undefined, current: string | undefined): boolean {
  if (!candidate || !current) return true;
  const a = Number(candidate);
  const b = Number(current);
  if (Number.isSafeInteger(a) && Number.isSafeInteger(b)) return a > b;
  return candidate !== current;
}

export class Informer<T extends KubeResource> {
  private readonly cache = new Map<string, T>();
  /** namespace/label value → the objects that carry it, by key (only with options.indexLabel). */
  private readonly index = new Map<string, Map<string, T>>();
  private readonly handlers: InformerHandler<T>[] = [];
  private readonly abort = new AbortController();
  private resourceVersion = '';
  private synced = false;
  private readonly syncWaiters: (() => void)[] = [];
  private loop?: Promise<void>;
  private currentWatch?: AbortController;

  constructor(
    readonly type: ResourceType,
    private readonly client: KubeClient,
    private readonly logger: Logger,
    private readonly options: InformerOptions,
  ) {}

  on(handler: InformerHandler<T>): this {
    this.handlers.push(handler);
    return this;
  }

  get(namespace: string, name: string): T | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  list(filter?: (object: T) => boolean): T[] {
    const all = [...this.cache.values()];
    return filter ? all.filter(filter) : all;
  }

  /** The objects in `namespace` whose options.indexLabel has this value, without looking at the others. */
  listByLabel(namespace: string, value: string): T[] {
    const label = this.options.indexLabel;
    if (!label) throw new Error(`the ${this.type.plural} cache keeps no index (indexLabel)`);
    return [...(this.index.get(`${namespace}/${value}`)?.values() ?? [])];
  }

  private indexKey(object: T): string | undefined {
    const value = this.options.indexLabel && object.metadata.labels?.[this.options.indexLabel];
    return value ? `${object.metadata.namespace ?? ''}/${value}` : undefined;
  }

  /** What the cache keeps of an object it is given. */
  private keep(object: T): T {
    return slim(object, this.options.compact === true);
  }

  /** Every change of the cache goes through put and drop, so that the index follows it. */
  private put(key: string, object: T, old: T | undefined): void {
    this.cache.set(key, object);
    if (!this.options.indexLabel) return;
    const before = old && this.indexKey(old);
    const after = this.indexKey(object);
    if (before !== undefined && before !== after) this.unindex(before, key);
    if (after === undefined) return;
    let bucket = this.index.get(after);
    if (!bucket) this.index.set(after, (bucket = new Map<string, T>()));
    bucket.set(key, object);
  }

  private drop(key: string, old: T | undefined): void {
    this.cache.delete(key);
    const before = old && this.indexKey(old);
    if (before !== undefined) this.unindex(before, key);
  }

  private unindex(indexKey: string, key: string): void {
    const bucket = this.index.get(indexKey);
    bucket?.delete(key);
    if (bucket?.size === 0) this.index.delete(indexKey);
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async waitForSync(): Promise<void> {
    if (this.synced) return;
    await new Promise<void>((resolve) => this.syncWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  /**
   * Puts an object the operator just wrote into the cache right away, so that a reconcile that runs
   * before the watch event arrives does not write it again. The watch event overwrites it later.
   * Returns what the cache holds for it now: the kept (slimmed) copy, or a newer version it already had.
   */
  remember(written: T): T {
    const object = this.keep(written);
    const key = objectKey(object);
    const current = this.cache.get(key);
    if (current && !isNewer(object.metadata.resourceVersion, current.metadata.resourceVersion)) return current;
    this.put(key, object, current);
    return object;
  }

  private async run(): Promise<void> {
    const backoff = new Backoff(this.options.backoff ?? { baseMs: 200, maxMs: 10_000 });
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        if (!this.resourceVersion) await this.relist();
        const timeoutSeconds = (this.options.watchTimeoutSeconds ?? 300) + Math.floor(Math.random() * 60);
        let sawEvent = false;
        // One controller per watch, so that an expired-version event can end this watch only.
        const current = new AbortController();
        const stopCurrent = (): void => current.abort();
        signal.addEventListener('abort', stopCurrent, { once: true });
        this.currentWatch = current;
        await this.client
          .watch(
            this.type,
            this.options.namespace,
            { resourceVersion: this.resourceVersion, labelSelector: this.options.labelSelector, timeoutSeconds },
            (event) => {
              if (current.signal.aborted) return;
              if (!sawEvent) {
                sawEvent = true;
                backoff.reset();
              }
              this.handle(event);
            },
            current.signal,
          )
          .finally(() => signal.removeEventListener('abort', stopCurrent));
        // A normal close after timeoutSeconds: watch again from where we are, without waiting.
        backoff.reset();
      } catch (error) {
        if (signal.aborted) break;
        if (isGone(error)) {
          this.logger.info({ resource: this.type.plural }, 'resourceVersion expired; listing again');
          this.resourceVersion = '';
        } else {
          // A refused list waits as a failed watch does: an API server that is down is not asked again at once, in a loop.
          const listing = !this.resourceVersion;
          const delay = backoff.next();
          this.logger.warn(
            { resource: this.type.plural, err: (error as Error).message, retryInMs: delay },
            listing ? 'list failed; listing again' : 'watch failed; restarting',
          );
          this.options.onRestart?.();
          await sleep(delay, signal);
        }
      }
    }
  }

  private handle(event: WatchEvent): void {
    if (event.type === 'ERROR') {
      const status = event.object as unknown as { code?: number; message?: string };
      if (status.code === 410) {
        // Too old to resume from: end this watch; the loop lists again.
        this.resourceVersion = '';
        this.currentWatch?.abort();
        return;
      }
      this.logger.warn({ resource: this.type.plural, code: status.code }, 'watch error event');
      return;
    }
    const object = this.keep({ ...event.object, apiVersion: this.type.apiVersion, kind: this.type.kind } as T);
    const version = object.metadata.resourceVersion;
    if (version) this.resourceVersion = version;
    if (event.type === 'BOOKMARK') return;
    const key = objectKey(object);
    const old = this.cache.get(key);
    const sameObject = !old || !old.metadata.uid || !object.metadata.uid || old.metadata.uid === object.metadata.uid;
    if (event.type === 'DELETED') {
      // The deletion of an older object of the same name, after the operator recreated it: keep the new one.
      if (!sameObject) return;
      this.drop(key, old);
      this.emit('delete', object, old);
    } else {
      // A lagging watch may deliver a version older than the one the operator just wrote and
      // remembered; going back to it would make the next pass write again. Versions are revisions of
      // the whole store, so this holds across uids too: an old event of an object the operator
      // deleted and created again must not bring the old object back.
      if (old && isOlder(version, old.metadata.resourceVersion)) return;
      this.put(key, object, old);
      this.emit(old ? 'update' : 'add', object, old);
    }
  }

  private async relist(): Promise<void> {
    const seen = new Set<string>();
    let resourceVersion = '';
    let next: string | undefined;
    // A page is read and slimmed in one turn: what is left of it once the turn ends is the cached copies.
    const page = async (): Promise<void> => {
      // An expired continue token is a 410, as an expired watch is: the loop lists again from the start.
      const listed = await this.client.list<T>(this.type, this.options.namespace, {
        labelSelector: this.options.labelSelector,
        limit: this.options.listPageSize ?? LIST_PAGE_SIZE,
        continue: next,
      });
      for (const each of listed.items) {
        const item = this.keep(each);
        const key = objectKey(item);
        seen.add(key);
        const old = this.cache.get(key);
        // Remembered from a local write while the list was on its way: newer than the list's snapshot.
        if (old && isOlder(item.metadata.resourceVersion, old.metadata.resourceVersion)) continue;
        this.put(key, item, old);
        if (!old) this.emit('add', item);
        else if (old.metadata.resourceVersion !== item.metadata.resourceVersion) this.emit('update', item, old);
      }
      resourceVersion = listed.resourceVersion;
      next = listed.continue;
    };
    do {
      await (this.options.listTurns ? this.options.listTurns.take(page) : page());
    } while (next);
    for (const [key, old] of [...this.cache]) {
      // Not in the list because it was created after the snapshot (and remembered): the watch from the
      // list's version brings it, or its deletion.
      if (!seen.has(key) && !isOlder(resourceVersion, old.metadata.resourceVersion)) {
        this.drop(key, old);
        this.emit('delete', old, old);
      }
    }
    this.resourceVersion = resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
  }

  private emit(event: InformerEvent, object: T, old?: T): void {
    for (const handler of this.handlers) {
      try {
        handler(event, object, old);
      } catch (error) {
        this.logger.error({ resource: this.type.plural, err: (error as Error).message }, 'informer handler failed');
      }
    }
  }
}

async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
