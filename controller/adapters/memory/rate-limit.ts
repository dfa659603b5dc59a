/**
 * In-process rate limiter (semantics in controller/ports/rate-limit.ts).
 * Memory is bounded: entries are queued in creation order; each hit drops
 * up to two expired entries from the front of that queue, and at `maxKeys`
 * it drops every expired entry at the front, then evicts the oldest live
 * one. Eviction forgets a count, so `maxKeys` must exceed the keys an
 * attacker can make us hold in one window; the default (100k entries,
 * ~15 MB) does for a region's gateways.
 */
import type { Clock } from '../../ports/clock.js';
import { systemClock } from '../../ports/clock.js';
import { rateLimitResult, type RateLimiter, type RateLimitOptions, type RateLimitResult } from '../../ports/rate-limit.js';
import { Fifo } from '../../collections/fifo.js';

export interface MemoryRateLimiterOptions {
  readonly clock?: Clock;
  readonly maxKeys?: number;
}

interface Entry {
  readonly key: string;
  /** Replaced, reset or evicted: its record in `order` is stale. */
  dead: boolean;
  count: number;
  /** When the key starts afresh, ms since the epoch. */
  resetAt: number;
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly clock: Clock;
  private readonly maxKeys: number;
  private readonly entries = new Map<string, Entry>();
  /** Entries in creation order; records of replaced or reset entries are stale and skipped. */
  private readonly order = new Fifo<Entry>();

  constructor(opts: MemoryRateLimiterOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.maxKeys = opts.maxKeys ?? 100_000;
    if (!Number.isInteger(this.maxKeys) || this.maxKeys < 1) throw new RangeError('maxKeys must be a positive integer');
  }

  /** Entries held, expired or not: for tests and metrics. */
  get size(): number {
    return this.entries.size;
  }

  async hit(key: string, opts: RateLimitOptions): Promise<RateLimitResult> {
    const now = this.clock.now().getTime();
    this.sweep(now, 2);
    let e = this.entries.get(key);
    if (!e || e.resetAt <= now) {
      if (e) this.drop(e);
      this.makeRoom(now);
      e = { key, dead: false, count: 0, resetAt: now + opts.windowMs };
      this.entries.set(key, e);
      this.order.push(e);
    }
    e.count++;
    if (e.count === opts.limit) e.resetAt = Math.max(e.resetAt, now + (opts.lockoutMs ?? opts.windowMs));
    return rateLimitResult(e.count, e.count <= opts.limit, opts.limit, e.resetAt, now);
  }

  async peek(key: string, opts: RateLimitOptions): Promise<RateLimitResult> {
    const now = this.clock.now().getTime();
    const e = this.entries.get(key);
    if (!e || e.resetAt <= now) return { allowed: opts.limit > 0, remaining: Math.max(0, opts.limit), retryAfterMs: 0 };
    return rateLimitResult(e.count, e.count < opts.limit, opts.limit, e.resetAt, now);
  }

  async reset(key: string): Promise<void> {
    const e = this.entries.get(key);
    if (e) this.drop(e);
  }

  private drop(e: Entry): void {
    e.dead = true;
    this.entries.delete(e.key);
  }

  /** Drops stale records and up to `max` expired entries from the front. */
  private sweep(now: number, max: number): void {
    let n = 0;
    for (let e = this.order.peek(); e && n < max; e = this.order.peek()) {
      if (!e.dead) {
        if (e.resetAt > now) break;
        this.drop(e);
        n++;
      }
      this.order.shift();
    }
    // Stale records stuck behind a long lockout: drop them in bulk, rarely.
    if (this.order.length > 2 * this.entries.size + 1024) this.order.retain((r) => !r.dead);
  }

  /** At capacity: expired entries at the front, then the oldest live one. */
  private makeRoom(now: number): void {
    if (this.entries.size < this.maxKeys) return;
    this.sweep(now, Infinity);
    while (this.entries.size >= this.maxKeys) {
      const e = this.order.shift();
      if (!e) break;
      if (!e.dead) this.drop(e);
    }
  }
}
