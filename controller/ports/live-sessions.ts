/**
 * Live sessions: the hot, short-lived set of sessions that are active right
 * now, shared by every node. It answers Simultaneous-Use and "who is on this
 * NAS" quickly; the durable connection log stays in the SessionStore.
 *
 * A session is keyed by (tenantId, nasIp, acctSessionId): RFC 2866 §5.5 only
 * makes Acct-Session-Id unique per NAS, and a NAS belongs to one tenant.
 *
 * Simultaneous-Use has a race: between Access-Accept and the Accounting
 * Start that makes a session live, a second login (perhaps on another node)
 * would still see the old count. `tryReserve` closes it: it atomically
 * counts live sessions plus pending reservations and takes a slot only if
 * that total is under the limit. See ReserveRequest for the rules.
 */
import type { Mac } from '../domain/mac.js';

export interface LiveSessionKey {
  readonly tenantId: string;
  readonly nasIp: string;
  readonly acctSessionId: string;
}

/** Counters as the latest accounting record reported them (RFC 2866 §5.3, §5.7, §5.8). */
export interface LiveCounters {
  readonly sessionTime: number;
  readonly inputOctets: number;
  readonly outputOctets: number;
}

export interface LiveSession extends LiveSessionKey, LiveCounters {
  readonly identityId: string | null;
  readonly username: string;
  readonly callingStationId: Mac | null;
  readonly apId: string | null;
  readonly framedIp: string | null;
  readonly startedAt: Date;
  readonly updatedAt: Date;
  /** Acct-Interim-Interval granted, in seconds: the reaper's yardstick. */
  readonly interimInterval: number;
}

export interface LiveUpdate extends LiveCounters {
  readonly updatedAt: Date;
  /** Framed-IP-Address often arrives only with the first Interim-Update. */
  readonly framedIp?: string | null;
}

export interface ReserveRequest {
  readonly identityId: string;
  /** The tenant policy's simultaneousUse; 0 or less never reserves. */
  readonly limit: number;
  /** How long the slot is held waiting for Accounting Start. */
  readonly ttlMs: number;
  /**
   * The device logging in (normalised MAC). A device is never counted
   * against itself: its own live sessions and its own earlier reservation
   * do not count (802.1X re-authentication, roaming between APs before the
   * old Stop arrives), and reserving again refreshes its one reservation.
   */
  readonly callingStationId?: Mac | null;
}

export interface LiveSessionStore {
  /**
   * Makes a session live. Idempotent by key: when the key is already live
   * nothing changes (the first Start, or the Interim that stood in for a
   * lost Start, wins) and false is returned.
   * A newly live session with an identity consumes that identity's pending
   * reservation for the same callingStationId, or else its oldest one.
   */
  start(s: LiveSession): Promise<boolean>;
  /**
   * Records an Interim-Update. updatedAt and counters only move forward
   * (a reordered older Interim changes nothing). False when the key is not
   * live: the caller may then `start` it from the Interim.
   */
  touch(key: LiveSessionKey, update: LiveUpdate): Promise<boolean>;
  /** Removes the session and returns it as it was, or null when not live. */
  stop(key: LiveSessionKey): Promise<LiveSession | null>;
  get(key: LiveSessionKey): Promise<LiveSession | null>;
  countByIdentity(identityId: string): Promise<number>;
  listByIdentity(identityId: string): Promise<LiveSession[]>;
  listByTenant(tenantId: string): Promise<LiveSession[]>;
  /** Live sessions per tenant; tenants with none are absent. */
  countByTenant(): Promise<Map<string, number>>;
  /**
   * Accounting-On/Off (RFC 2866 §5.1): the NAS restarted, all its sessions
   * are over. Removes and returns them, atomically.
   */
  closeByNas(tenantId: string, nasIp: string): Promise<LiveSession[]>;
  /**
   * Sessions whose last update is strictly before `updatedBefore`, oldest
   * first, at most `limit` (default 1000): the reaper's work list. Read-only: the reaper
   * closes each in the durable store, then calls `stop`.
   */
  stale(updatedBefore: Date, limit?: number): Promise<LiveSession[]>;
  /**
   * Atomically: if (live sessions + unexpired reservations of the identity,
   * both excluding the requesting device) < limit, holds a slot for ttlMs
   * and returns true; otherwise returns false and holds nothing.
   * A reservation ends when a Start consumes it or its ttl passes; there is
   * no release: an Access-Accept that never turns into a session costs the
   * identity one slot for at most ttlMs.
   */
  tryReserve(r: ReserveRequest): Promise<boolean>;
}

/** A compact, unambiguous string for a key: tenant ids and IPs never hold '|'. */
export function liveSessionKeyString(k: LiveSessionKey): string {
  return `${k.tenantId}|${k.nasIp}|${k.acctSessionId}`;
}
