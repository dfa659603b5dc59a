/**
 * Agents waiting for a new configuration, by AP. A notification for an AP
 * wakes all its waiters at once; a waiter also ends on its timeout or when
 * its connection closes. Waiters must register BEFORE reading the current
 * version, so a publish between the read and the wait is never missed.
 */
import type { ConfigChange } from '../controller/ports/config-notifications.js';

export type WakeReason = 'changed' | 'timeout' | 'closed' | 'shutdown';

interface Waiter {
  readonly resolve: (r: WakeReason, change?: ConfigChange) => void;
  readonly timer: NodeJS.Timeout;
}

export interface Wait {
  readonly done: Promise<WakeReason>;
  /** What woke it, when a notification did: the poll then needs no second read to know. */
  readonly change: () => ConfigChange | null;
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
    let woke: ConfigChange | null = null;
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
        resolve: (r, change) => {
          if (finished) return;
          finished = true;
          woke = change ?? null;
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
    return { done, cancel: () => settle('closed'), change: () => woke };
  }

  /** Wakes every waiter of the changed APs. */
  notify(changes: Iterable<ConfigChange>): number {
    let woken = 0;
    for (const c of changes) {
      const set = this.waiters.get(c.apId);
      if (!set) continue;
      for (const w of [...set]) {
        w.resolve('changed', c);
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
