/**
 * Agents waiting for a new configuration, by AP. A notification for an AP
 * wakes all its waiters at once; a waiter also ends on its timeout or when
 * its connection closes. Waiters must register BEFORE reading the current
 * version, so a publish between the read and the wait is never missed.
 */
export type WakeReason = 'changed' | 'timeout' | 'closed' | 'shutdown';

interface Waiter {
  readonly resolve: (r: WakeReason) => void;
  readonly timer: NodeJS.Timeout;
}

export interface Wait {
  readonly done: Promise<WakeReason>;
  /** Ends the wait now (the caller answered without waiting). */
  cancel(): void;
}

export class LongPollHub {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private count = 0;
  private closed = false;

  get size(): number {
    return this.count;
  }

  wait(apId: string, ms: number): Wait {
    let settle!: (r: WakeReason) => void;
    const done = new Promise<WakeReason>((resolve) => {
      if (this.closed) {
        resolve('shutdown');
        settle = () => {};
        return;
      }
      let set = this.waiters.get(apId);
      if (!set) this.waiters.set(apId, (set = new Set()));
      const waiters = set;
      let finished = false;
      const waiter: Waiter = {
        resolve: (r) => {
          if (finished) return;
          finished = true;
          clearTimeout(waiter.timer);
          waiters.delete(waiter);
          if (waiters.size === 0 && this.waiters.get(apId) === waiters) this.waiters.delete(apId);
          this.count--;
          resolve(r);
        },
        timer: setTimeout(() => waiter.resolve('timeout'), ms),
      };
      waiters.add(waiter);
      this.count++;
      settle = waiter.resolve;
    });
    return { done, cancel: () => settle('closed') };
  }

  /** Wakes every waiter of these APs. */
  notify(apIds: Iterable<string>): number {
    let woken = 0;
    for (const id of apIds) {
      const set = this.waiters.get(id);
      if (!set) continue;
      for (const w of [...set]) {
        w.resolve('changed');
        woken++;
      }
    }
    return woken;
  }

  /** Answers everyone (shutdown): agents then poll again, on this node or another. */
  close(): void {
    this.closed = true;
    for (const set of [...this.waiters.values()]) for (const w of [...set]) w.resolve('shutdown');
  }
}
