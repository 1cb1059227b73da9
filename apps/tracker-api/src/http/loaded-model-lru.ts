/** A few loaded values by key, least recently used dropped (and disposed) first. */
export class LoadedModelLru<T extends { dispose(): void }> {
  private readonly entries = new Map<string, Promise<T>>();

  constructor(private readonly capacity: number) {
    if (capacity < 1) throw new Error("capacity: must be at least 1");
  }

  /** The value for `key`, loading it once even when many callers ask at the same time. */
  get(key: string, load: () => Promise<T>): Promise<T> {
    const found = this.entries.get(key);
    if (found) {
      this.entries.delete(key);
      this.entries.set(key, found);
      return found;
    }
    const loading = load();
    this.entries.set(key, loading);
    // A failed load is forgotten so that the next request tries again.
    loading.catch(() => {
      if (this.entries.get(key) === loading) this.entries.delete(key);
    });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      const evicted = this.entries.get(oldest);
      this.entries.delete(oldest);
      evicted?.then((value) => value.dispose()).catch(() => {});
    }
    return loading;
  }

  get size(): number {
    return this.entries.size;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  clear(): void {
    for (const entry of this.entries.values()) entry.then((value) => value.dispose()).catch(() => {});
    this.entries.clear();
  }
}
