/**
 * Serialises this node's configuration changes: each renders from the state
 * it reads, then writes in one transaction, so two changes interleaving
 * could publish a version rendered from stale settings. Changes are rare
 * and fast; agent polls and reports never take the lock.
 */
export class WriteLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
