/**
 * Failed-attempt limiting with a lockout, per identity, per RADIUS client,
 * per source IP: callers choose the key namespace (`ident:<id>`, `ip:<addr>`).
 *
 * Semantics (fixed window opened by the first hit, plus lockout):
 * - the first `hit` on a key opens a window of `windowMs`; each hit in the
 *   window counts one;
 * - the hit that brings the count to `limit` is still allowed, and locks the
 *   key until at least `lockoutMs` (default `windowMs`) from that hit;
 * - hits beyond `limit` are refused and do not extend the lock (so a
 *   hammering attacker gains nothing, and a victim is locked out for a
 *   bounded time after the last counted failure);
 * - when the window (or lock) ends, the key starts afresh.
 * At worst `2 * limit - 1` hits pass in a short span (limit - 1 at the end of
 * one window, limit at the start of the next); after that the lockout holds.
 *
 * Two usages:
 * - failed attempts: `peek` before checking a password (refuse when not
 *   allowed), `hit` after a failure, `reset` after a success;
 * - plain rate limiting: `hit` first, proceed only if allowed.
 */
export interface RateLimitOptions {
  readonly limit: number;
  readonly windowMs: number;
  readonly lockoutMs?: number;
}

export interface RateLimitResult {
  /** hit: this attempt is within the limit. peek: one more hit would be. */
  readonly allowed: boolean;
  /** Hits left before the lockout. */
  readonly remaining: number;
  /** 0 while hits remain; otherwise how long until the key starts afresh. */
  readonly retryAfterMs: number;
}

export interface RateLimiter {
  hit(key: string, opts: RateLimitOptions): Promise<RateLimitResult>;
  peek(key: string, opts: RateLimitOptions): Promise<RateLimitResult>;
  reset(key: string): Promise<void>;
}

/** The result every adapter derives from (count, resetAt): one rule, one place. */
export function rateLimitResult(count: number, allowed: boolean, limit: number, resetAt: number, now: number): RateLimitResult {
  const remaining = Math.max(0, limit - count);
  return { allowed, remaining, retryAfterMs: remaining > 0 ? 0 : Math.max(0, resetAt - now) };
}
