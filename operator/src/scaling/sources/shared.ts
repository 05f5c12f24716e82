// What several sources read through: one Kafka admin connection for every lag source, one scraper for
// the request rate and latency of a component. Each source takes a lease when it is built and gives
// it back when it closes; the last one out closes the shared thing, so deleting a platform or changing
// its metrics leaves no connection and no scrape history behind.

export interface Lease<T> {
  readonly value: T;
  release(): Promise<void>;
}

export class SharedResources<T> {
  private readonly held = new Map<string, { value: T; leases: number }>();

  constructor(private readonly dispose: (value: T) => Promise<void> = () => Promise.resolve()) {}

  /** A share of the thing held under `key`, opened by `open` when nobody holds it. */
  acquire(key: string, open: () => T): Lease<T> {
    let entry = this.held.get(key);
    if (!entry) {
      entry = { value: open(), leases: 0 };
      this.held.set(key, entry);
    }
    entry.leases += 1;
    const held = entry;
    let released = false;
    return {
      value: held.value,
      release: async () => {
        // A lease given back twice (a source closed twice) must not take another source's share.
        if (released) return;
        released = true;
        held.leases -= 1;
        if (held.leases > 0) return;
        if (this.held.get(key) === held) this.held.delete(key);
        await this.dispose(held.value);
      },
    };
  }

  /** How many distinct things are held open (for tests and leak checks). */
  get size(): number {
    return this.held.size;
  }
}
