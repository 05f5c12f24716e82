// Reads objects whole for the applier's drift checks (apply.ts), in batches: the reads one pass asks for
// in the same turn of the event loop go out together, one list of the platform's objects of a kind (by
// its labels) when two or more of that kind are asked for, a GET when one is. Just after a start no
// owned object has a record of its last clean version, so each is read whole once: 37 GETs a platform,
// 37,000 at 1,000 platforms, that become a list of each owned kind (docs/operator.md, "Writes").
import type { KubeClient, KubeResource, ResourceType } from './kube.js';

/** Reads one object whole: undefined when it is gone. */
export type WholeRead = (type: ResourceType, namespace: string, name: string) => Promise<KubeResource | undefined>;

interface Waiting {
  resolve: (object: KubeResource | undefined) => void;
  reject: (error: unknown) => void;
}

interface Batch {
  type: ResourceType;
  namespace: string;
  names: Map<string, Waiting[]>;
}

export class ReadBatch {
  private readonly pending = new Map<string, Batch>();
  private scheduled = false;

  /** `labelSelector` selects every object of the platform (of any kind) that may be asked for. */
  constructor(
    private readonly client: Pick<KubeClient, 'get' | 'list'>,
    private readonly labelSelector: string,
  ) {}

  readonly read: WholeRead = (type, namespace, name) =>
    new Promise((resolve, reject) => {
      const key = `${type.plural}|${namespace}`;
      let batch = this.pending.get(key);
      if (!batch) this.pending.set(key, (batch = { type, namespace, names: new Map() }));
      batch.names.set(name, [...(batch.names.get(name) ?? []), { resolve, reject }]);
      if (this.scheduled) return;
      this.scheduled = true;
      // After the reads the pass starts side by side (each reaches its read without waiting on anything).
      setImmediate(() => this.flush());
    });

  private flush(): void {
    this.scheduled = false;
    const batches = [...this.pending.values()];
    this.pending.clear();
    for (const batch of batches) void this.send(batch);
  }

  private async send(batch: Batch): Promise<void> {
    const { type, namespace, names } = batch;
    try {
      const found = new Map<string, KubeResource>();
      const [only] = names.keys();
      if (names.size === 1 && only !== undefined) {
        const object = await this.client.get(type, namespace, only);
        if (object) found.set(only, object);
      } else {
        // The platform's objects of this kind are few (at most eleven Services); the ones not asked for are dropped.
        const { items } = await this.client.list(type, namespace, { labelSelector: this.labelSelector });
        for (const object of items) if (names.has(object.metadata.name)) found.set(object.metadata.name, object);
      }
      for (const [name, waiting] of names) for (const each of waiting) each.resolve(found.get(name));
    } catch (error) {
      for (const waiting of names.values()) for (const each of waiting) each.reject(error);
    }
  }
}
