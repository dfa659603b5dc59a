/**
 * In-process live sessions for a single node. Same semantics as the Redis
 * adapter (test/contract/live-sessions.contract.ts holds both to them); every
 * operation is synchronous inside, so each is atomic on one event loop.
 */
import type { Mac } from '../../domain/mac.js';
import type { Clock } from '../../ports/clock.js';
import { systemClock } from '../../ports/clock.js';
import {
  liveSessionKeyString,
  type LiveSession,
  type LiveSessionKey,
  type LiveSessionStore,
  type LiveUpdate,
  type ReserveRequest,
} from '../../ports/live-sessions.js';
import { Fifo } from '../../collections/fifo.js';

export interface MemoryLiveSessionOptions {
  readonly clock?: Clock;
}

export class MemoryLiveSessionStore implements LiveSessionStore {
  private readonly clock: Clock;
  private readonly sessions = new Map<string, LiveSession>();
  private readonly byIdentity = new Map<string, Set<string>>();
  private readonly byTenant = new Map<string, Set<string>>();
  private readonly byNas = new Map<string, Set<string>>();
  /** identityId → (reservation member → expiresAt ms). */
  private readonly reservations = new Map<string, Map<string, number>>();
  private readonly sweepQueue = new Fifo<[string, Map<string, number>]>();
  private anon = 0;

  constructor(opts: MemoryLiveSessionOptions = {}) {
    this.clock = opts.clock ?? systemClock;
  }

  async start(s: LiveSession): Promise<boolean> {
    const k = liveSessionKeyString(s);
    if (this.sessions.has(k)) return false;
    this.sessions.set(k, { ...s });
    if (s.identityId !== null) {
      addTo(this.byIdentity, s.identityId, k);
      this.consumeReservation(s.identityId, s.callingStationId);
    }
    addTo(this.byTenant, s.tenantId, k);
    addTo(this.byNas, nasKey(s.tenantId, s.nasIp), k);
    return true;
  }

  async touch(key: LiveSessionKey, u: LiveUpdate): Promise<boolean> {
    const k = liveSessionKeyString(key);
    const s = this.sessions.get(k);
    if (!s) return false;
    this.sessions.set(k, {
      ...s,
      updatedAt: u.updatedAt > s.updatedAt ? u.updatedAt : s.updatedAt,
      sessionTime: Math.max(s.sessionTime, u.sessionTime),
      inputOctets: Math.max(s.inputOctets, u.inputOctets),
      outputOctets: Math.max(s.outputOctets, u.outputOctets),
      framedIp: u.framedIp ?? s.framedIp,
    });
    return true;
  }

  async stop(key: LiveSessionKey): Promise<LiveSession | null> {
    return this.remove(liveSessionKeyString(key));
  }

  async get(key: LiveSessionKey): Promise<LiveSession | null> {
    return this.sessions.get(liveSessionKeyString(key)) ?? null;
  }

  async countByIdentity(identityId: string): Promise<number> {
    return this.byIdentity.get(identityId)?.size ?? 0;
  }

  async listByIdentity(identityId: string): Promise<LiveSession[]> {
    return this.collect(this.byIdentity.get(identityId));
  }

  async listByTenant(tenantId: string): Promise<LiveSession[]> {
    return this.collect(this.byTenant.get(tenantId));
  }

  async countByTenant(): Promise<Map<string, number>> {
    return new Map([...this.byTenant].map(([t, keys]) => [t, keys.size]));
  }

  async closeByNas(tenantId: string, nasIp: string): Promise<LiveSession[]> {
    const keys = this.byNas.get(nasKey(tenantId, nasIp));
    if (!keys) return [];
    const closed: LiveSession[] = [];
    for (const k of [...keys]) {
      const s = this.remove(k);
      if (s) closed.push(s);
    }
    return closed;
  }

  async stale(updatedBefore: Date, limit = 1000): Promise<LiveSession[]> {
    const cutoff = updatedBefore.getTime();
    // A linear scan: one node holds thousands of sessions, and the reaper runs once a minute.
    return [...this.sessions.values()]
      .filter((s) => s.updatedAt.getTime() < cutoff)
      .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime())
      .slice(0, limit);
  }

  async tryReserve(r: ReserveRequest): Promise<boolean> {
    if (r.limit <= 0) return false;
    const now = this.clock.now().getTime();
    this.sweep(now);
    const device = r.callingStationId ?? null;
    const pending = this.liveReservations(r.identityId, now);
    let live = 0;
    for (const k of this.byIdentity.get(r.identityId) ?? []) {
      if (device === null || this.sessions.get(k)?.callingStationId !== device) live++;
    }
    let held = pending?.size ?? 0;
    if (device !== null && pending?.has(device)) held--;
    if (live + held >= r.limit) return false;
    const member = device ?? `~${++this.anon}`;
    let m = pending;
    if (!m) {
      this.reservations.set(r.identityId, (m = new Map()));
      this.sweepQueue.push([r.identityId, m]);
    }
    m.delete(member); // re-insert so Map order stays oldest-first
    m.set(member, now + r.ttlMs);
    return true;
  }

  /**
   * Reservations of identities that never come back must not pile up: each
   * call purges the two identities longest in the queue and re-queues them
   * if they still hold reservations. (A queue, not Map order: see fifo.ts.)
   */
  private sweep(now: number): void {
    for (let n = 0; n < 2; n++) {
      const rec = this.sweepQueue.shift();
      if (!rec) return;
      const [id, m] = rec;
      if (this.reservations.get(id) !== m) continue; // stale record
      if (this.liveReservations(id, now)) this.sweepQueue.push(rec);
    }
  }

  /** Drops expired reservations; returns what is left, or undefined. */
  private liveReservations(identityId: string, now: number): Map<string, number> | undefined {
    const m = this.reservations.get(identityId);
    if (!m) return undefined;
    for (const [member, expiresAt] of m) if (expiresAt <= now) m.delete(member);
    if (m.size === 0) {
      this.reservations.delete(identityId);
      return undefined;
    }
    return m;
  }

  private consumeReservation(identityId: string, device: Mac | null): void {
    const m = this.liveReservations(identityId, this.clock.now().getTime());
    if (!m) return;
    let victim: string | undefined;
    if (device !== null && m.has(device)) victim = device;
    else {
      // The oldest: the one expiring first (all share the same ttl in practice).
      let min = Infinity;
      for (const [member, expiresAt] of m) if (expiresAt < min) [victim, min] = [member, expiresAt];
    }
    if (victim !== undefined) m.delete(victim);
    if (m.size === 0) this.reservations.delete(identityId);
  }

  private remove(k: string): LiveSession | null {
    const s = this.sessions.get(k);
    if (!s) return null;
    this.sessions.delete(k);
    if (s.identityId !== null) removeFrom(this.byIdentity, s.identityId, k);
    removeFrom(this.byTenant, s.tenantId, k);
    removeFrom(this.byNas, nasKey(s.tenantId, s.nasIp), k);
    return s;
  }

  private collect(keys: Set<string> | undefined): LiveSession[] {
    const out: LiveSession[] = [];
    for (const k of keys ?? []) {
      const s = this.sessions.get(k);
      if (s) out.push(s);
    }
    return out;
  }
}

function nasKey(tenantId: string, nasIp: string): string {
  return `${tenantId}|${nasIp}`;
}

function addTo(index: Map<string, Set<string>>, id: string, k: string): void {
  let set = index.get(id);
  if (!set) index.set(id, (set = new Set()));
  set.add(k);
}

function removeFrom(index: Map<string, Set<string>>, id: string, k: string): void {
  const set = index.get(id);
  if (!set) return;
  set.delete(k);
  if (set.size === 0) index.delete(id);
}
