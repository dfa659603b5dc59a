/**
 * Rate limiter in Redis (semantics in controller/ports/rate-limit.ts): one
 * hash per key, `P rl:<key>` = { c: count, r: resetAt ms }, updated by one
 * Lua script so concurrent hits on several nodes count exactly. Times come
 * from the injected clock; the key's Redis TTL follows resetAt so Redis
 * forgets it when it would start afresh anyway.
 */
import type { Redis } from 'ioredis';
import type { Clock } from '../../ports/clock.js';
import { systemClock } from '../../ports/clock.js';
import { rateLimitResult, type RateLimiter, type RateLimitOptions, type RateLimitResult } from '../../ports/rate-limit.js';
import { runScript, script } from './script.js';

// KEYS: the key. ARGV: now, limit, windowMs, lockoutMs. Returns { count, resetAt }.
const HIT = script(`
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local h = redis.call('HMGET', KEYS[1], 'c', 'r')
local c = tonumber(h[1]) or 0
local r = tonumber(h[2]) or 0
if r <= now then
  c = 0
  r = now + tonumber(ARGV[3])
end
c = c + 1
if c == limit then
  local l = now + tonumber(ARGV[4])
  if l > r then r = l end
end
redis.call('HSET', KEYS[1], 'c', c, 'r', string.format('%d', r))
redis.call('PEXPIRE', KEYS[1], string.format('%d', r - now))
return { c, string.format('%d', r) }
`);

export interface RedisRateLimiterOptions {
  readonly redis: Redis;
  readonly prefix?: string;
  readonly clock?: Clock;
}

export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;
  private readonly p: string;
  private readonly clock: Clock;

  constructor(opts: RedisRateLimiterOptions) {
    this.redis = opts.redis;
    this.p = `${opts.prefix ?? 'wfc:'}rl:`;
    this.clock = opts.clock ?? systemClock;
  }

  async hit(key: string, opts: RateLimitOptions): Promise<RateLimitResult> {
    const now = this.clock.now().getTime();
    const args = [now, opts.limit, Math.ceil(opts.windowMs), Math.ceil(opts.lockoutMs ?? opts.windowMs)];
    const [count, resetAt] = (await runScript(this.redis, HIT, [this.p + key], args)) as [number, string];
    return rateLimitResult(count, count <= opts.limit, opts.limit, Number(resetAt), now);
  }

  async peek(key: string, opts: RateLimitOptions): Promise<RateLimitResult> {
    const now = this.clock.now().getTime();
    const [c, r] = await this.redis.hmget(this.p + key, 'c', 'r');
    const count = Number(c ?? 0);
    const resetAt = Number(r ?? 0);
    if (resetAt <= now) return { allowed: opts.limit > 0, remaining: Math.max(0, opts.limit), retryAfterMs: 0 };
    return rateLimitResult(count, count < opts.limit, opts.limit, resetAt, now);
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.p + key);
  }
}
