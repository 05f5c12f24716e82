import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { FakeKube } from './testing/fake-kube.js';
import { Informer, ListTurns, type InformerEvent } from './informer.js';
import { ApiError, type KubeResource, type ResourceType } from './kube.js';
import { bodyDigest, isCompact } from './slim.js';

const CONFIGMAP: ResourceType = { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true };
const NS = 'kyc-test';

type ConfigMap = KubeResource & { data?: Record<string, string> };

function configMap(name: string, data: Record<string, string> = {}): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, labels: { app: 'kyc' } }, data };
}

const running: Informer<ConfigMap>[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((i) => i.stop()));
});

/** A synced informer on the fake server, with every event it emitted, in order. */
async function started(fake: FakeKube): Promise<{ informer: Informer<ConfigMap>; events: string[] }> {
  const informer = new Informer<ConfigMap>(CONFIGMAP, fake.asClient(), pino({ enabled: false }), {
    namespace: NS,
    labelSelector: 'app=kyc',
    backoff: { baseMs: 1, maxMs: 1 },
  });
  const events: string[] = [];
  informer.on((event: InformerEvent, object) => events.push(`${event} ${object.metadata.name}@${object.metadata.resourceVersion ?? ''}`));
  running.push(informer);
  informer.start();
  await informer.waitForSync();
  await until(() => fake.openWatchCount > 0);
  return { informer, events };
}

/** Lets the informer's loop run (a relist, a reconnect) until `done` holds. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i += 1) await new Promise((resolve) => setTimeout(resolve, 1));
  expect(done()).toBe(true);
}

/** The names the informer holds, in order. */
function names(informer: Informer<ConfigMap>): string[] {
  return informer
    .list()
    .map((o) => o.metadata.name)
    .sort();
}

function versionOf(informer: Informer<ConfigMap>, name: string): string | undefined {
  return informer.get(NS, name)?.metadata.resourceVersion;
}

describe('Informer', () => {
  it('when it starts, then it lists what exists and follows the watch from there', async () => {
    const fake = new FakeKube();
    const a = await fake.create<ConfigMap>(CONFIGMAP, NS, configMap('a'));
    await fake.create(CONFIGMAP, NS, { ...configMap('unlabelled'), metadata: { name: 'unlabelled', namespace: NS } });
    const { informer, events } = await started(fake);
    const b = await fake.create<ConfigMap>(CONFIGMAP, NS, configMap('b'));

    expect(names(informer)).toEqual(['a', 'b']);
    expect(events).toEqual([`add a@${a.metadata.resourceVersion}`, `add b@${b.metadata.resourceVersion}`]);
  });

  it('with an index label, then listByLabel follows adds, label changes, deletions, remembered writes and a relist', async () => {
    const fake = new FakeKube();
    const owned = (name: string, owner: string): ConfigMap => ({
      ...configMap(name),
      metadata: { name, namespace: NS, labels: { app: 'kyc', owner } },
    });
    await fake.create(CONFIGMAP, NS, owned('a1', 'a'));
    await fake.create(CONFIGMAP, NS, owned('b1', 'b'));
    await fake.create(CONFIGMAP, 'elsewhere', { ...owned('a9', 'a'), metadata: { ...owned('a9', 'a').metadata, namespace: 'elsewhere' } });
    const informer = new Informer<ConfigMap>(CONFIGMAP, fake.asClient(), pino({ enabled: false }), {
      namespace: '',
      labelSelector: 'app=kyc',
      indexLabel: 'owner',
      backoff: { baseMs: 1, maxMs: 1 },
    });
    running.push(informer);
    informer.start();
    await informer.waitForSync();
    await until(() => fake.openWatchCount > 0);
    const names = (owner: string): string[] =>
      informer
        .listByLabel(NS, owner)
        .map((o) => o.metadata.name)
        .sort();
    expect(names('a')).toEqual(['a1']);
    expect(informer.listByLabel('elsewhere', 'a').map((o) => o.metadata.name)).toEqual(['a9']);

    await fake.create(CONFIGMAP, NS, owned('a2', 'a'));
    await until(() => names('a').length === 2);
    // Relabelled: it leaves a's list for b's.
    await fake.apply(CONFIGMAP, owned('a2', 'b'), 'test');
    await until(() => names('b').length === 2);
    expect(names('a')).toEqual(['a1']);
    await fake.delete(CONFIGMAP, NS, 'b1');
    await until(() => names('b').length === 1);
    expect(names('b')).toEqual(['a2']);
    // A write remembered before its watch event is found at once.
    informer.remember(await fake.create<ConfigMap>(CONFIGMAP, NS, owned('a3', 'a')));
    expect(names('a')).toEqual(['a1', 'a3']);
    // A relist after a 410 drops what went while the stream was lost.
    fake.hold();
    await fake.delete(CONFIGMAP, NS, 'a1');
    fake.compact();
    fake.send(CONFIGMAP, {
      type: 'ERROR',
      object: { apiVersion: 'v1', kind: 'Status', metadata: { name: '' }, code: 410, message: 'too old resource version' },
    });
    await until(() => names('a').length === 1);
    fake.deliver();
    expect(names('a')).toEqual(['a3']);
    expect(names('nobody')).toEqual([]);
  });

  it('with compact, then the list, the watch and a remembered write keep bodies as digests only', async () => {
    const fake = new FakeKube();
    await fake.create(CONFIGMAP, NS, configMap('a', { mode: 'dev' }));
    const informer = new Informer<ConfigMap>(CONFIGMAP, fake.asClient(), pino({ enabled: false }), {
      namespace: NS,
      labelSelector: 'app=kyc',
      compact: true,
      backoff: { baseMs: 1, maxMs: 1 },
    });
    running.push(informer);
    informer.start();
    await informer.waitForSync();
    await until(() => fake.openWatchCount > 0);
    const listed = informer.get(NS, 'a');
    expect(listed?.data).toBeUndefined();
    expect(listed && isCompact(listed)).toBe(true);
    expect(listed && bodyDigest(listed)).toBe(bodyDigest(configMap('a', { mode: 'dev' })));

    const b = await fake.create<ConfigMap>(CONFIGMAP, NS, configMap('b', { mode: 'prod' }));
    await until(() => informer.get(NS, 'b') !== undefined);
    expect(informer.get(NS, 'b')?.data).toBeUndefined();
    expect(bodyDigest(informer.get(NS, 'b')!)).toBe(bodyDigest(b));

    const kept = informer.remember(await fake.create<ConfigMap>(CONFIGMAP, NS, configMap('c', { mode: 'x' })));
    expect(kept).toBe(informer.get(NS, 'c'));
    expect(informer.get(NS, 'c')?.data).toBeUndefined();
    expect(informer.get(NS, 'c')?.metadata.labels).toEqual({ app: 'kyc' });
  });

  it('with a page size, then it lists in pages, and a relist after a 410 or an expired page starts again and drops what went', async () => {
    const fake = new FakeKube();
    for (const name of ['a', 'b', 'c', 'd', 'e']) await fake.create(CONFIGMAP, NS, configMap(name));
    const informer = new Informer<ConfigMap>(CONFIGMAP, fake.asClient(), pino({ enabled: false }), {
      namespace: NS,
      labelSelector: 'app=kyc',
      compact: true,
      listPageSize: 2,
      backoff: { baseMs: 1, maxMs: 1 },
    });
    const events: string[] = [];
    informer.on((event, object) => events.push(`${event} ${object.metadata.name}`));
    running.push(informer);
    informer.start();
    await informer.waitForSync();
    await until(() => fake.openWatchCount > 0);
    // Five objects in pages of two: three requests, each object once.
    expect(fake.listCount).toBe(3);
    expect(events).toEqual(['add a', 'add b', 'add c', 'add d', 'add e']);
    expect(informer.list().every(isCompact)).toBe(true);

    // The stream is lost while c goes and f comes; the second page of the relist finds its token expired.
    fake.hold();
    await fake.delete(CONFIGMAP, NS, 'c');
    await fake.create(CONFIGMAP, NS, configMap('f'));
    fake.compact();
    fake.failNext('list', new ApiError('the provided continue parameter is too old', 410, 'Expired'), { name: '2' });
    fake.send(CONFIGMAP, {
      type: 'ERROR',
      object: { apiVersion: 'v1', kind: 'Status', metadata: { name: '' }, code: 410, message: 'too old resource version' },
    });
    await until(() => informer.get(NS, 'c') === undefined && informer.get(NS, 'f') !== undefined);
    fake.deliver();
    // The first relist's first page (1), its refused second page (2), then a whole relist in pages (3).
    expect(fake.listCount).toBe(3 + 2 + 3);
    expect(names(informer)).toEqual(['a', 'b', 'd', 'e', 'f']);
    expect(events.slice(5)).toEqual(['add f', 'delete c']);
  });

  it('when its list is refused, then it lists again after a backoff, not at once in a loop', async () => {
    const fake = new FakeKube();
    await fake.create(CONFIGMAP, NS, configMap('a'));
    for (let i = 0; i < 3; i += 1) fake.failNext('list', new ApiError('etcdserver: leader changed', 500));
    let restarts = 0;
    const informer = new Informer<ConfigMap>(CONFIGMAP, fake.asClient(), pino({ enabled: false }), {
      namespace: NS,
      labelSelector: 'app=kyc',
      backoff: { baseMs: 40, maxMs: 40 },
      onRestart: () => (restarts += 1),
    });
    running.push(informer);
    const started = Date.now();
    informer.start();
    await informer.waitForSync();
    // Three refusals, each followed by a 40 ms wait: a lower bound, which a slow machine cannot break.
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    expect(fake.listCount).toBe(4);
    expect(restarts).toBe(3);
    expect(informer.get(NS, 'a')).toBeDefined();
  });

  it('with shared list turns, then informers of two kinds never have two pages on their way at once, and a refused page does not stop the other', async () => {
    const SECRET: ResourceType = { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true };
    const fake = new FakeKube();
    for (const name of ['a', 'b', 'c']) {
      await fake.create(CONFIGMAP, NS, configMap(name));
      await fake.create(SECRET, NS, { ...configMap(name), apiVersion: 'v1', kind: 'Secret' });
    }
    const listTurns = new ListTurns();
    const options = { namespace: NS, labelSelector: 'app=kyc', listPageSize: 2, listTurns, backoff: { baseMs: 1, maxMs: 1 } };
    const configMaps = new Informer<ConfigMap>(CONFIGMAP, fake.asClient(), pino({ enabled: false }), options);
    const secrets = new Informer<ConfigMap>(SECRET, fake.asClient(), pino({ enabled: false }), options);
    running.push(configMaps, secrets);
    fake.failNext('list', new ApiError('etcdserver: request timed out', 500), { kind: 'ConfigMap' });
    fake.pauseLists();
    configMaps.start();
    secrets.start();
    // The ConfigMaps' first list is refused in its turn; then one page at a time, each let through here.
    let answered = 0;
    while (!(configMaps.hasSynced && secrets.hasSynced)) {
      await until(() => fake.pausedListCount > 0 || (configMaps.hasSynced && secrets.hasSynced));
      expect(fake.pausedListCount).toBeLessThanOrEqual(1);
      if (fake.pausedListCount === 0) break;
      // A turn taken is one list on its way: the other kind has not asked yet.
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(fake.pausedListCount).toBe(1);
      fake.resumeLists();
      fake.pauseLists();
      answered += 1;
    }
    fake.resumeLists();
    // Two pages of each kind (three objects in pages of two), and the refused list asked again.
    expect(answered).toBe(4);
    expect(fake.listCount).toBe(5);
    for (const informer of [configMaps, secrets]) expect(names(informer)).toEqual(['a', 'b', 'c']);
  });

  describe('when the watch answers 410 Gone in the middle of a stream', () => {
    it('then it lists again and emits each change it missed exactly once, and nothing it had already seen', async () => {
      const fake = new FakeKube();
      await fake.create(CONFIGMAP, NS, configMap('kept'));
      await fake.create(CONFIGMAP, NS, configMap('changed'));
      const deleted = await fake.create<ConfigMap>(CONFIGMAP, NS, configMap('deleted'));
      const { informer, events } = await started(fake);
      events.length = 0;

      // The stream falls behind: these changes never reach it, and the server has compacted past them.
      fake.hold();
      const changed = await fake.apply<ConfigMap>(CONFIGMAP, configMap('changed', { level: 'debug' }), 'test');
      await fake.delete(CONFIGMAP, NS, 'deleted');
      const added = await fake.create<ConfigMap>(CONFIGMAP, NS, configMap('added'));
      fake.compact();
      fake.send(CONFIGMAP, {
        type: 'ERROR',
        object: { apiVersion: 'v1', kind: 'Status', metadata: { name: '' }, code: 410, message: 'too old resource version' },
      });
      await until(() => informer.get(NS, 'added') !== undefined);
      // The lost stream's events, should they come after all, go nowhere: that watch is closed.
      fake.deliver();

      expect(events.sort()).toEqual(
        [
          `add added@${added.metadata.resourceVersion}`,
          `delete deleted@${deleted.metadata.resourceVersion}`,
          `update changed@${changed.metadata.resourceVersion}`,
        ].sort(),
      );
      expect(
        informer
          .list()
          .map((o) => o.metadata.name)
          .sort(),
      ).toEqual(['added', 'changed', 'kept']);
      expect(versionOf(informer, 'changed')).toBe(changed.metadata.resourceVersion);

      // And the new watch follows from the list's version: the next change arrives once.
      const later = await fake.apply<ConfigMap>(CONFIGMAP, configMap('kept', { level: 'info' }), 'test');
      await until(() => events.some((e) => e.startsWith('update kept')));
      expect(events.filter((e) => e.startsWith('update kept'))).toEqual([`update kept@${later.metadata.resourceVersion}`]);
    });

    it('then the same holds when the 410 answers a reconnect (the version it resumes from was compacted)', async () => {
      const fake = new FakeKube();
      await fake.create(CONFIGMAP, NS, configMap('a'));
      const { informer, events } = await started(fake);
      events.length = 0;

      fake.hold();
      const changed = await fake.apply<ConfigMap>(CONFIGMAP, configMap('a', { level: 'debug' }), 'test');
      fake.compact();
      fake.closeWatches(new Error('connection reset'));
      await until(() => versionOf(informer, 'a') === changed.metadata.resourceVersion);
      fake.deliver();

      expect(events).toEqual([`update a@${changed.metadata.resourceVersion}`]);
    });
  });

  describe('when a watch event older than a local write arrives after it', () => {
    it('then the cache keeps the written version', async () => {
      const fake = new FakeKube();
      await fake.create(CONFIGMAP, NS, configMap('a'));
      const { informer } = await started(fake);

      // Someone else writes (version n), then the operator (n+1) and remembers its answer; the watch
      // delivers both only afterwards.
      fake.hold();
      const theirs = fake.setStatus(CONFIGMAP, NS, 'a', { seen: true });
      const ours = await fake.apply<ConfigMap>(CONFIGMAP, configMap('a', { level: 'debug' }), 'test');
      informer.remember(ours);
      expect(Number(theirs.metadata.resourceVersion)).toBeLessThan(Number(ours.metadata.resourceVersion));
      fake.deliver();

      expect(versionOf(informer, 'a')).toBe(ours.metadata.resourceVersion);
      expect(informer.get(NS, 'a')?.data).toEqual({ level: 'debug' });
    });

    it('then remembering an answer older than the cache changes nothing', async () => {
      const fake = new FakeKube();
      await fake.create(CONFIGMAP, NS, configMap('a'));
      const { informer } = await started(fake);
      const first = await fake.apply<ConfigMap>(CONFIGMAP, configMap('a', { level: 'debug' }), 'test');
      await fake.apply<ConfigMap>(CONFIGMAP, configMap('a', { level: 'info' }), 'test');

      informer.remember(first);

      expect(informer.get(NS, 'a')?.data).toEqual({ level: 'info' });
    });

    it('then an old event of the object the operator replaced does not bring it back', async () => {
      const fake = new FakeKube();
      const old = await fake.create<ConfigMap>(CONFIGMAP, NS, configMap('a'));
      const { informer, events } = await started(fake);
      events.length = 0;

      // The old object changes, is deleted and created again by the operator, which remembers the new
      // one; the watch delivers all of it afterwards.
      fake.hold();
      fake.setStatus(CONFIGMAP, NS, 'a', { seen: true });
      await fake.delete(CONFIGMAP, NS, 'a', old.metadata.uid);
      const created = await fake.create<ConfigMap>(CONFIGMAP, NS, configMap('a', { level: 'debug' }));
      informer.remember(created);
      const seen: (string | undefined)[] = [];
      informer.on(() => seen.push(informer.get(NS, 'a')?.metadata.uid));
      fake.deliver();

      expect(informer.get(NS, 'a')?.metadata.uid).toBe(created.metadata.uid);
      // At no point did the cache hold the old object again, or nothing.
      expect(seen.every((uid) => uid === created.metadata.uid)).toBe(true);
    });
  });

  describe('when a delete event names an older uid than the cached object', () => {
    it('then the newer object stays in the cache', async () => {
      const fake = new FakeKube();
      const old = await fake.create<ConfigMap>(CONFIGMAP, NS, configMap('a'));
      const { informer, events } = await started(fake);
      events.length = 0;

      fake.hold();
      await fake.delete(CONFIGMAP, NS, 'a', old.metadata.uid);
      const created = await fake.create<ConfigMap>(CONFIGMAP, NS, configMap('a', { level: 'debug' }));
      informer.remember(created);
      fake.deliver();

      expect(informer.get(NS, 'a')?.metadata.uid).toBe(created.metadata.uid);
      expect(events.some((e) => e.startsWith('delete'))).toBe(false);
    });
  });

  describe('when a relist answers with a snapshot taken before a local write', () => {
    it('then the written object is neither regressed nor dropped', async () => {
      const fake = new FakeKube();
      await fake.create(CONFIGMAP, NS, configMap('a'));
      const { informer, events } = await started(fake);
      events.length = 0;

      // The relist's snapshot is taken, then the operator writes and remembers before the answer arrives.
      fake.pauseLists();
      // A write the informer does not watch (no label), then a compaction: its version is too old.
      await fake.create(CONFIGMAP, NS, { ...configMap('other'), metadata: { name: 'other', namespace: NS } });
      fake.compact();
      fake.closeWatches(new Error('connection reset'));
      await until(() => fake.pausedListCount > 0);
      fake.hold();
      const updated = await fake.apply<ConfigMap>(CONFIGMAP, configMap('a', { level: 'debug' }), 'test');
      const created = await fake.create<ConfigMap>(CONFIGMAP, NS, configMap('b'));
      informer.remember(updated);
      informer.remember(created);
      const seen: string[] = [];
      informer.on(() => seen.push(`a@${versionOf(informer, 'a') ?? '-'} b@${versionOf(informer, 'b') ?? '-'}`));
      fake.resumeLists();
      // The list is handled, and the watch from its version open (it brings both writes).
      await until(() => fake.openWatchCount > 0);
      fake.deliver();

      expect(versionOf(informer, 'a')).toBe(updated.metadata.resourceVersion);
      expect(versionOf(informer, 'b')).toBe(created.metadata.resourceVersion);
      // At no point did the cache go back to the snapshot's copy of a, or lose b.
      expect(seen.every((s) => s === `a@${updated.metadata.resourceVersion} b@${created.metadata.resourceVersion}`)).toBe(true);
      expect(events.filter((e) => e.startsWith('delete'))).toEqual([]);
    });
  });
});
