/**
 * Verification codes in Redis (rules in controller/ports/verification-codes.ts).
 * Per (purpose, subject), two hashes, each changed by one Lua script so
 * concurrent requests on several nodes obey the limits exactly:
 *   `P vc:<purpose>:<subject>`  = { d: digest, e: expiresAt, a: attempts, b: burnt }
 *   `P vcs:<purpose>:<subject>` = { c: codes in window, w: window end, u: cooldown until }
 * Times come from the injected clock; Redis TTLs only let Redis forget keys
 * the rules no longer need.
 *
 * The digest comparison in Lua is not constant-time; it compares keyed
 * digests the caller computed, which a guesser cannot produce without the
 * server key, so timing reveals nothing usable about the code.
 */
import type { Redis } from 'ioredis';
import type { Clock } from '../../ports/clock.js';
import { systemClock } from '../../ports/clock.js';
import {
  DAY_MS,
  type CheckCodeRequest,
  type CheckCodeResult,
  type CodePurpose,
  type IssueCodeRequest,
  type IssueCodeResult,
  type VerificationCodeStore,
} from '../../ports/verification-codes.js';
import { runScript, script } from './script.js';

// KEYS: code, sent. ARGV: now, digest, ttlMs, cooldownMs, dailyCap, dayMs.
// Returns { 'ok' } or { reason, retryAfterMs }.
const ISSUE = script(`
local now = tonumber(ARGV[1])
local s = redis.call('HMGET', KEYS[2], 'c', 'w', 'u')
local c = tonumber(s[1]) or 0
local w = tonumber(s[2]) or 0
local u = tonumber(s[3]) or 0
if w <= now then
  c = 0
  w = now + tonumber(ARGV[6])
  u = 0
end
if u > now then return { 'cooldown', string.format('%d', u - now) } end
if c >= tonumber(ARGV[5]) then return { 'daily-cap', string.format('%d', w - now) } end
c = c + 1
u = now + tonumber(ARGV[4])
redis.call('HSET', KEYS[2], 'c', c, 'w', string.format('%d', w), 'u', string.format('%d', u))
local keep = w
if u > keep then keep = u end
redis.call('PEXPIRE', KEYS[2], string.format('%d', keep - now))
local e = now + tonumber(ARGV[3])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'd', ARGV[2], 'e', string.format('%d', e), 'a', 0, 'b', 0)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return { 'ok' }
`);

// KEYS: code. ARGV: now, digest, maxAttempts. Returns the CheckCodeResult.
const CHECK = script(`
local now = tonumber(ARGV[1])
local h = redis.call('HMGET', KEYS[1], 'd', 'e', 'a', 'b')
if not h[1] then return 'expired' end
if tonumber(h[2]) <= now then
  redis.call('DEL', KEYS[1])
  return 'expired'
end
if h[4] == '1' then return 'too-many-attempts' end
if h[1] == ARGV[2] then
  redis.call('DEL', KEYS[1])
  return 'ok'
end
local a = redis.call('HINCRBY', KEYS[1], 'a', 1)
if a >= tonumber(ARGV[3]) then redis.call('HSET', KEYS[1], 'b', 1) end
return 'wrong'
`);

export interface RedisVerificationCodeStoreOptions {
  readonly redis: Redis;
  readonly prefix?: string;
  readonly clock?: Clock;
}

export class RedisVerificationCodeStore implements VerificationCodeStore {
  private readonly redis: Redis;
  private readonly p: string;
  private readonly clock: Clock;

  constructor(opts: RedisVerificationCodeStoreOptions) {
    this.redis = opts.redis;
    this.p = opts.prefix ?? 'wfc:';
    this.clock = opts.clock ?? systemClock;
  }

  private keys(purpose: CodePurpose, subject: string): [string, string] {
    return [`${this.p}vc:${purpose}:${subject}`, `${this.p}vcs:${purpose}:${subject}`];
  }

  async issue(r: IssueCodeRequest): Promise<IssueCodeResult> {
    const now = this.clock.now().getTime();
    const args = [now, r.digest, Math.max(1, Math.ceil(r.ttlMs)), Math.max(0, Math.ceil(r.cooldownMs)), r.dailyCap, DAY_MS];
    const out = (await runScript(this.redis, ISSUE, this.keys(r.purpose, r.subject), args)) as [string, string?];
    if (out[0] === 'ok') return { ok: true };
    return { ok: false, reason: out[0] as 'cooldown' | 'daily-cap', retryAfterMs: Number(out[1]) };
  }

  async check(r: CheckCodeRequest): Promise<CheckCodeResult> {
    const now = this.clock.now().getTime();
    const [code] = this.keys(r.purpose, r.subject);
    return (await runScript(this.redis, CHECK, [code], [now, r.digest, r.maxAttempts])) as CheckCodeResult;
  }

  async revoke(purpose: CodePurpose, subject: string): Promise<void> {
    await this.redis.del(this.keys(purpose, subject)[0]);
  }
}
