/**
 * A first-in first-out queue on an array with a moving head: O(1) amortised
 * push and shift. The memory adapters keep their expiry order here rather
 * than iterating a Map from the front: V8 leaves deleted Map entries as
 * holes until it rehashes, so "the first entry" of a Map whose front keeps
 * being deleted costs O(holes) — measured at ~80 µs with 100k entries.
 */
export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Keeps only the items `keep` accepts, in order: O(n), for dropping stale records in bulk. */
  retain(keep: (item: T) => boolean): void {
    const kept: T[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i] as T;
      if (keep(item)) kept.push(item);
    }
    this.items = kept;
    this.head = 0;
  }
}
