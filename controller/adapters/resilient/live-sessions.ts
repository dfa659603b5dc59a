/**
 * Live sessions that survive a Redis outage (docs/adr/0009-redis-outage.md).
 *
 * While the link is up every call goes to Redis. While it is down (or on
 * its way back) every call is answered from this node's memory at once:
 * - Accounting keeps the local set current: a Start makes a session live,
 *   an Interim-Update for a session this node has not seen fails `touch`,
 *   so the accounting processor `start`s it from the Interim; a Stop or an
 *   Accounting-On/Off removes. Each such write is also noted in a journal.
 * - `tryReserve` counts only what this node knows: Simultaneous-Use is
 *   enforced per node during the outage (degraded, not refused: the
 *   durable accounting log is unaffected and the limit is restored with
 *   Redis).
 * - Queries (counts, lists, the reaper's `stale`) see only local sessions.
 * When Redis is back the journal is written to Redis before the link is
 * declared up (sessions touched or started here are touched or started
 * there, stopped ones stopped, closed NASes closed), then the local state is
 * dropped. A session the hand-back missed comes back with its next
 * Interim-Update, which re-creates it (touch false → start).
 */
import type { Metrics } from '../../metrics.js';
import type { Logger } from '../../log.js';
import {
  liveSessionKeyString,
  type LiveSession,
  type LiveSessionKey,
  type LiveSessionStore,
  type LiveUpdate,
  type ReserveRequest,
} from '../../ports/live-sessions.js';
import type { LocalState, RedisLink } from './redis-link.js';

type JournalEntry =
  | { readonly kind: 'session'; readonly key: LiveSessionKey }
  | { readonly kind: 'nas'; readonly tenantId: string; readonly nasIp: string };

export interface ResilientLiveSessionOptions {
  readonly link: RedisLink;
  readonly redis: LiveSessionStore;
  /** A fresh, empty local store; called again each time local state is dropped. */
  readonly local: () => LiveSessionStore;
  readonly metrics?: Pick<Metrics['stores'], 'degradedOps'>;
  readonly log?: Logger;
  /** Journal bound: beyond it the oldest entries are forgotten (their sessions return with their next Interim). Default 200,000. */
  readonly maxJournal?: number;
}

export class ResilientLiveSessionStore implements LiveSessionStore, LocalState {
  private readonly link: RedisLink;
  private readonly redis: LiveSessionStore;
  private readonly makeLocal: () => LiveSessionStore;
  private localStore: LiveSessionStore;
  /** Writes made locally, in order; one entry per session or NAS, moved to the end when written again. */
  private readonly journal = new Map<string, JournalEntry>();
  private readonly maxJournal: number;
  private readonly metrics: ResilientLiveSessionOptions['metrics'];
  private readonly log: Logger | undefined;
  private forgotten = 0;
  private written = 0;
  /** Local writes between their store call and their journal note. */
  private inflight = 0;

  constructor(opts: ResilientLiveSessionOptions) {
    this.link = opts.link;
    this.redis = opts.redis;
    this.makeLocal = opts.local;
    this.localStore = opts.local();
    this.maxJournal = opts.maxJournal ?? 200_000;
    this.metrics = opts.metrics;
    this.log = opts.log;
    this.link.attach(this);
  }

  /** Local writes not yet handed back to Redis. */
  get pending(): number {
    return this.journal.size;
  }

  start(s: LiveSession): Promise<boolean> {
    return this.write('start', (st) => st.start(s), (ok) => ok && this.note(sessionEntry(s)));
  }

  touch(key: LiveSessionKey, update: LiveUpdate): Promise<boolean> {
    return this.write('touch', (st) => st.touch(key, update), (ok) => ok && this.note(sessionEntry(key)));
  }

  stop(key: LiveSessionKey): Promise<LiveSession | null> {
    // Noted even when this node never saw the session: Redis may hold it from before the outage.
    return this.write('stop', (st) => st.stop(key), () => this.note(sessionEntry(key)));
  }

  closeByNas(tenantId: string, nasIp: string): Promise<LiveSession[]> {
    return this.write('closeByNas', (st) => st.closeByNas(tenantId, nasIp), () => this.note({ kind: 'nas', tenantId, nasIp }));
  }

  tryReserve(r: ReserveRequest): Promise<boolean> {
    return this.read('tryReserve', (st) => st.tryReserve(r));
  }

  get(key: LiveSessionKey): Promise<LiveSession | null> {
    return this.read('get', (st) => st.get(key));
  }

  countByIdentity(identityId: string): Promise<number> {
    return this.read('countByIdentity', (st) => st.countByIdentity(identityId));
  }

  listByIdentity(identityId: string): Promise<LiveSession[]> {
    return this.read('listByIdentity', (st) => st.listByIdentity(identityId));
  }

  listByTenant(tenantId: string): Promise<LiveSession[]> {
    return this.read('listByTenant', (st) => st.listByTenant(tenantId));
  }

  countByTenant(): Promise<Map<string, number>> {
    return this.read('countByTenant', (st) => st.countByTenant());
  }

  stale(updatedBefore: Date, limit?: number): Promise<LiveSession[]> {
    return this.read('stale', (st) => st.stale(updatedBefore, limit));
  }

  /**
   * Writes the journal to Redis, oldest first (LocalState, for the link).
   * Writes that arrive meanwhile still go to local memory and the journal;
   * the link calls again until `handedBack()`, then `drop()`s the local
   * state in the same step as it switches to Redis. A failure leaves the
   * rest of the journal for the next attempt.
   */
  async handBack(): Promise<void> {
    while (this.journal.size) {
      const batch: Array<[string, JournalEntry]> = [];
      for (const rec of this.journal) {
        // A NAS close runs alone: sessions noted before it reach Redis first, those after it after.
        if (rec[1].kind === 'nas' && batch.length) break;
        batch.push(rec);
        if (rec[1].kind === 'nas' || batch.length >= 256) break;
      }
      await Promise.all(
        batch.map(async ([k, entry]) => {
          await this.link.call(() => this.replay(entry));
          // Written again while this one was in flight: the newer entry is still to do.
          if (this.journal.get(k) === entry) this.journal.delete(k);
        }),
      );
      this.written += batch.length;
    }
    // A local write between its store call and its journal note: let it finish.
    if (this.inflight) await new Promise((r) => setImmediate(r));
  }

  handedBack(): boolean {
    return this.journal.size === 0 && this.inflight === 0;
  }

  drop(): void {
    if (this.written || this.forgotten) this.log?.info({ written: this.written, forgotten: this.forgotten }, 'live sessions kept during the Redis outage written back to Redis');
    this.written = 0;
    this.forgotten = 0;
    this.localStore = this.makeLocal();
  }

  private async replay(entry: JournalEntry): Promise<void> {
    if (entry.kind === 'nas') {
      await this.redis.closeByNas(entry.tenantId, entry.nasIp);
      return;
    }
    const s = await this.localStore.get(entry.key);
    if (!s) {
      await this.redis.stop(entry.key);
      return;
    }
    const update = { updatedAt: s.updatedAt, sessionTime: s.sessionTime, inputOctets: s.inputOctets, outputOctets: s.outputOctets, framedIp: s.framedIp };
    if (!(await this.redis.touch(s, update))) await this.redis.start(s);
  }

  private note(entry: JournalEntry): void {
    const k = entry.kind === 'nas' ? `n|${entry.tenantId}|${entry.nasIp}` : `s|${liveSessionKeyString(entry.key)}`;
    // Delete first, so the entry moves to the end: the journal stays in write order.
    this.journal.delete(k);
    this.journal.set(k, entry);
    if (this.journal.size > this.maxJournal) {
      const oldest = this.journal.keys().next().value as string;
      this.journal.delete(oldest);
      this.forgotten++;
    }
  }

  private async write<T>(operation: string, run: (st: LiveSessionStore) => Promise<T>, noteLocal: (result: T) => unknown): Promise<T> {
    if (this.link.up) {
      try {
        return await this.link.call(() => run(this.redis));
      } catch (e) {
        if (this.link.up) throw e; // a fault Redis reported, not an outage
      }
    }
    this.degraded(operation);
    this.inflight++;
    try {
      const result = await run(this.localStore);
      noteLocal(result);
      return result;
    } finally {
      this.inflight--;
    }
  }

  private async read<T>(operation: string, run: (st: LiveSessionStore) => Promise<T>): Promise<T> {
    if (this.link.up) {
      try {
        return await this.link.call(() => run(this.redis));
      } catch (e) {
        if (this.link.up) throw e;
      }
    }
    this.degraded(operation);
    return run(this.localStore);
  }

  private degraded(operation: string): void {
    this.metrics?.degradedOps.inc({ port: 'live-sessions', operation });
  }
}

function sessionEntry(key: LiveSessionKey): JournalEntry {
  return { kind: 'session', key: { tenantId: key.tenantId, nasIp: key.nasIp, acctSessionId: key.acctSessionId } };
}
