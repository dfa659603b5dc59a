/**
 * Duplicate request detection (RFC 5080 §2.2.2). A NAS that hears no reply
 * retransmits the same packet: same source address and port, same
 * Identifier, same Request Authenticator. Processing it twice would verify
 * a password twice, reserve two Simultaneous-Use slots, or count an
 * accounting record twice; instead the first reply is sent again.
 *
 * A slot is (socket kind, source address, source port, Identifier). The
 * Request Authenticator tells a retransmission (same) from a new request
 * that reuses the Identifier (different): the new request replaces the slot.
 *
 * How an entry ends, chosen by the caller:
 * - `complete(key, reply)`: a retransmission gets `reply` again;
 * - `drop(key)`: we decided not to answer (bad authenticator, policy):
 *   a retransmission is dropped too, without being processed again;
 * - `abandon(key)`: a transient failure (a store was down, an accounting
 *   record could not be made durable): the slot is forgotten, so the
 *   retransmission is processed afresh. This is what makes a NAS's
 *   accounting retries useful (RFC 2866 §2: no reply means "retry").
 *
 * Entries live `windowMs` (default 30 s, longer than a NAS's whole retry
 * schedule) from begin, and again from completion. At most `maxEntries`
 * (default 100k) are held; beyond that the oldest begun goes first. The table
 * never counts anything itself: `begin` tells the caller what it was, and
 * the caller feeds its metrics (hostapd-style drop counters).
 */
import { Fifo } from '../controller/collections/fifo.js';

export type SocketKind = 'auth' | 'acct' | 'coa' | 'status';

export interface DedupKey {
  readonly kind: SocketKind;
  readonly address: string;
  readonly port: number;
  readonly identifier: number;
  /** The 16-octet Request Authenticator. */
  readonly authenticator: Buffer;
}

export type BeginResult =
  | { readonly state: 'new' }
  /** A retransmission of a request still being processed. */
  | { readonly state: 'in-flight'; readonly wait: Promise<Buffer | null> }
  /** A retransmission of a finished request: resend `reply`, or drop when null. */
  | { readonly state: 'done'; readonly reply: Buffer | null };

export interface DedupOptions {
  readonly windowMs?: number;
  readonly maxEntries?: number;
  /** Milliseconds, monotonic enough; injectable for tests. */
  readonly now?: () => number;
}

export interface DedupCache {
  begin(key: DedupKey): BeginResult;
  complete(key: DedupKey, reply: Buffer): void;
  drop(key: DedupKey): void;
  abandon(key: DedupKey): void;
  readonly size: number;
}

interface Entry {
  readonly slot: string;
  /** A copy: a view would pin the whole datagram for the window. */
  readonly authenticator: Buffer;
  /** Evicted or replaced: its record in `order` is stale. */
  dead: boolean;
  expiresAt: number;
  done: boolean;
  reply: Buffer | null;
  /** Created on the first in-flight duplicate only. */
  waiters: { promise: Promise<Buffer | null>; resolve: (r: Buffer | null) => void } | null;
}

const NEW: BeginResult = Object.freeze({ state: 'new' });

export function createDedupCache(opts: DedupOptions = {}): DedupCache {
  const windowMs = opts.windowMs ?? 30_000;
  const maxEntries = opts.maxEntries ?? 100_000;
  const now = opts.now ?? Date.now;
  if (!(windowMs > 0)) throw new RangeError('windowMs must be positive');
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  const entries = new Map<string, Entry>();
  // Begin order, for expiry and eviction. Records of replaced or abandoned
  // entries go stale and are skipped (a Map's own order is slow to walk
  // from the front once it is deleted from: see fifo.ts).
  const order = new Fifo<Entry>();
  const live = (e: Entry): boolean => !e.dead;

  const slotOf = (k: DedupKey): string => `${k.kind}|${k.address}|${k.port}|${k.identifier}`;

  /** Ends an entry; duplicates still waiting on it are told to drop. */
  const evict = (e: Entry): void => {
    e.dead = true;
    entries.delete(e.slot);
    if (!e.done) e.waiters?.resolve(null);
  };

  /**
   * From the front of the queue: stale records, and up to two expired
   * entries per call, so the work per packet stays O(1). Completion extends
   * an entry's life without moving it, so the front may briefly hold an
   * entry that outlives some behind it; they are still treated as absent.
   */
  const sweep = (t: number): void => {
    let n = 0;
    for (let e = order.peek(); e && n < 2; e = order.peek()) {
      if (live(e)) {
        if (e.expiresAt > t) break;
        evict(e);
        n++;
      }
      order.shift();
    }
    if (order.length > 2 * entries.size + 1024) order.retain(live);
  };

  /** The entry of this very request (same authenticator), if live. */
  const mine = (k: DedupKey): Entry | null => {
    const e = entries.get(slotOf(k));
    return e && !e.done && e.authenticator.equals(k.authenticator) ? e : null;
  };

  const finish = (k: DedupKey, reply: Buffer | null): void => {
    const e = mine(k);
    if (!e) return; // replaced or evicted meanwhile: nobody to tell
    e.done = true;
    e.reply = reply;
    e.expiresAt = now() + windowMs;
    e.waiters?.resolve(reply);
    e.waiters = null;
  };

  return {
    begin(k: DedupKey): BeginResult {
      const t = now();
      sweep(t);
      const slot = slotOf(k);
      const e = entries.get(slot);
      if (e && e.expiresAt > t && e.authenticator.equals(k.authenticator)) {
        if (e.done) return { state: 'done', reply: e.reply };
        if (!e.waiters) {
          let resolve!: (r: Buffer | null) => void;
          const promise = new Promise<Buffer | null>((r) => (resolve = r));
          e.waiters = { promise, resolve };
        }
        return { state: 'in-flight', wait: e.waiters.promise };
      }
      // New request, or the Identifier reused with a new authenticator.
      if (e) evict(e);
      while (entries.size >= maxEntries) {
        const oldest = order.shift();
        if (!oldest) break;
        if (live(oldest)) evict(oldest);
      }
      const authenticator = Buffer.from(k.authenticator);
      const fresh: Entry = { slot, authenticator, dead: false, expiresAt: t + windowMs, done: false, reply: null, waiters: null };
      entries.set(slot, fresh);
      order.push(fresh);
      return NEW;
    },
    complete: (k, reply) => finish(k, reply),
    drop: (k) => finish(k, null),
    abandon(k: DedupKey): void {
      const e = mine(k);
      if (e) evict(e);
    },
    get size() {
      return entries.size;
    },
  };
}
