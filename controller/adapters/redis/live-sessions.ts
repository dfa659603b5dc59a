/**
 * Live sessions in Redis, shared by every node.
 *
 * Keys, under a configurable prefix P (default `wfc:`):
 *   P ls:s:<key>        hash, one session (short field names, below)
 *   P ls:i:<identity>   set of session keys of an identity
 *   P ls:t:<tenant>     set of session keys of a tenant
 *   P ls:n:<tenant>|<nas> set of session keys of a NAS
 *   P ls:tenants        set of tenants with live sessions
 *   P ls:upd            sorted set: session key → updatedAt (ms), for the reaper
 *   P ls:r:<identity>   sorted set: reservation member → expiresAt (ms)
 * where <key> is liveSessionKeyString(). Every write is one Lua script, so
 * the indexes never disagree with the hashes, and no hot path uses KEYS.
 *
 * Requirements: `maxmemory-policy noeviction` (an evicted hash or index
 * would desynchronise them; reads skip dangling members all the same). The
 * scripts read keys derived from set members, so on Redis Cluster the
 * prefix must be a hash tag (e.g. `{wfc}:`) that puts every key in one slot.
 *
 * Times come from the injected clock, not from Redis, so reservations and
 * the reaper cut-off agree with the caller's view of time (nodes are NTP
 * synchronised; a few ms of skew only shift a reservation's end).
 */
import type { Redis } from 'ioredis';
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
import { runScript, script } from './script.js';

// Lua shared by stop and closeByNas: removes one session and its index
// entries, returns its flat HGETALL or nil. ARGV[1] is the `P ls:` prefix.
const REMOVE_FN = `
local P = ARGV[1]
local function remove(member)
  local hk = P .. 's:' .. member
  local h = redis.call('HGETALL', hk)
  if #h == 0 then return nil end
  local f = {}
  for i = 1, #h, 2 do f[h[i]] = h[i + 1] end
  redis.call('DEL', hk)
  if f.i then redis.call('SREM', P .. 'i:' .. f.i, member) end
  local tk = P .. 't:' .. f.t
  redis.call('SREM', tk, member)
  if redis.call('SCARD', tk) == 0 then redis.call('SREM', P .. 'tenants', f.t) end
  redis.call('SREM', P .. 'n:' .. f.t .. '|' .. f.n, member)
  redis.call('ZREM', P .. 'upd', member)
  return h
end
`;

// KEYS: hash, identity set, tenant set, nas set, tenants, upd, reservations
// ARGV: member, tenantId, now, hasIdentity, device, updatedAt, field/value...
const START = script(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 7))
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('SADD', KEYS[5], ARGV[2])
redis.call('ZADD', KEYS[6], ARGV[6], ARGV[1])
if ARGV[4] == '1' then
  redis.call('SADD', KEYS[2], ARGV[1])
  redis.call('ZREMRANGEBYSCORE', KEYS[7], '-inf', ARGV[3])
  if ARGV[5] ~= '' and redis.call('ZSCORE', KEYS[7], ARGV[5]) then
    redis.call('ZREM', KEYS[7], ARGV[5])
  else
    redis.call('ZPOPMIN', KEYS[7])
  end
end
return 1
`);

// KEYS: hash, upd. ARGV: member, updatedAt, sessionTime, input, output, framedIp|''
const TOUCH = script(`
local cur = redis.call('HMGET', KEYS[1], 'ua', 'st', 'io', 'oo')
if not cur[1] then return 0 end
local fields = { 'st', 'io', 'oo' }
for i = 1, 3 do
  if tonumber(ARGV[i + 2]) > tonumber(cur[i + 1]) then redis.call('HSET', KEYS[1], fields[i], ARGV[i + 2]) end
end
if tonumber(ARGV[2]) > tonumber(cur[1]) then
  redis.call('HSET', KEYS[1], 'ua', ARGV[2])
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'f', ARGV[6]) end
return 1
`);

// ARGV: P ls:, member
const STOP = script(`${REMOVE_FN}
return remove(ARGV[2]) or false
`);

// KEYS: nas set. ARGV: P ls:
const CLOSE_NAS = script(`${REMOVE_FN}
local out = {}
for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local h = remove(m)
  if h then out[#out + 1] = h else redis.call('SREM', KEYS[1], m) end
end
return out
`);

// KEYS: a set of session keys. ARGV: P ls:
const LIST_SET = script(`
local out = {}
for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local h = redis.call('HGETALL', ARGV[1] .. 's:' .. m)
  if #h > 0 then out[#out + 1] = h end
end
return out
`);

// KEYS: upd. ARGV: P ls:, cutoff (exclusive), limit
const STALE = script(`
local out = {}
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))) do
  local h = redis.call('HGETALL', ARGV[1] .. 's:' .. m)
  if #h > 0 then out[#out + 1] = h end
end
return out
`);

// KEYS: tenants. ARGV: P ls:
const COUNT_TENANTS = script(`
local out = {}
for _, t in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local n = redis.call('SCARD', ARGV[1] .. 't:' .. t)
  if n > 0 then out[#out + 1] = t; out[#out + 1] = n end
end
return out
`);

// KEYS: identity set, reservations. ARGV: P ls:, now, ttl, limit, device|'', anon id, expiresAt
const RESERVE = script(`
local now = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local device = ARGV[5]
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local live = 0
for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local h = redis.call('HMGET', ARGV[1] .. 's:' .. m, 't', 'c')
  if h[1] and (device == '' or h[2] ~= device) then live = live + 1 end
end
local held = redis.call('ZCARD', KEYS[2])
if device ~= '' and redis.call('ZSCORE', KEYS[2], device) then held = held - 1 end
if live + held >= limit then return 0 end
local member = device
if member == '' then member = '~' .. ARGV[6] end
redis.call('ZADD', KEYS[2], ARGV[7], member)
if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
return 1
`);

export interface RedisLiveSessionOptions {
  readonly redis: Redis;
  /** Default `wfc:`; `{wfc}:` on Redis Cluster. */
  readonly prefix?: string;
  readonly clock?: Clock;
}

export class RedisLiveSessionStore implements LiveSessionStore {
  private readonly redis: Redis;
  private readonly p: string;
  private readonly clock: Clock;

  constructor(opts: RedisLiveSessionOptions) {
    this.redis = opts.redis;
    this.p = `${opts.prefix ?? 'wfc:'}ls:`;
    this.clock = opts.clock ?? systemClock;
  }

  async start(s: LiveSession): Promise<boolean> {
    const member = liveSessionKeyString(s);
    const p = this.p;
    const keys = [
      `${p}s:${member}`,
      `${p}i:${s.identityId ?? ''}`,
      `${p}t:${s.tenantId}`,
      `${p}n:${s.tenantId}|${s.nasIp}`,
      `${p}tenants`,
      `${p}upd`,
      `${p}r:${s.identityId ?? ''}`,
    ];
    const args = [
      member,
      s.tenantId,
      this.clock.now().getTime(),
      s.identityId === null ? '0' : '1',
      s.callingStationId ?? '',
      s.updatedAt.getTime(),
      ...encode(s),
    ];
    return (await runScript(this.redis, START, keys, args)) === 1;
  }

  async touch(key: LiveSessionKey, u: LiveUpdate): Promise<boolean> {
    const member = liveSessionKeyString(key);
    const args = [member, u.updatedAt.getTime(), u.sessionTime, u.inputOctets, u.outputOctets, u.framedIp ?? ''];
    return (await runScript(this.redis, TOUCH, [`${this.p}s:${member}`, `${this.p}upd`], args)) === 1;
  }

  async stop(key: LiveSessionKey): Promise<LiveSession | null> {
    const h = (await runScript(this.redis, STOP, [], [this.p, liveSessionKeyString(key)])) as string[] | null;
    return h ? decode(h) : null;
  }

  async get(key: LiveSessionKey): Promise<LiveSession | null> {
    const h = await this.redis.hgetall(`${this.p}s:${liveSessionKeyString(key)}`);
    return h.t === undefined ? null : fromRecord(h);
  }

  async countByIdentity(identityId: string): Promise<number> {
    return this.redis.scard(`${this.p}i:${identityId}`);
  }

  async listByIdentity(identityId: string): Promise<LiveSession[]> {
    return this.list(`${this.p}i:${identityId}`);
  }

  async listByTenant(tenantId: string): Promise<LiveSession[]> {
    return this.list(`${this.p}t:${tenantId}`);
  }

  async countByTenant(): Promise<Map<string, number>> {
    const flat = (await runScript(this.redis, COUNT_TENANTS, [`${this.p}tenants`], [this.p])) as (string | number)[];
    const out = new Map<string, number>();
    for (let i = 0; i < flat.length; i += 2) out.set(String(flat[i]), Number(flat[i + 1]));
    return out;
  }

  async closeByNas(tenantId: string, nasIp: string): Promise<LiveSession[]> {
    const rows = (await runScript(this.redis, CLOSE_NAS, [`${this.p}n:${tenantId}|${nasIp}`], [this.p])) as string[][];
    return rows.map(decode);
  }

  async stale(updatedBefore: Date, limit = 1000): Promise<LiveSession[]> {
    const rows = (await runScript(this.redis, STALE, [`${this.p}upd`], [this.p, updatedBefore.getTime(), limit])) as string[][];
    return rows.map(decode);
  }

  async tryReserve(r: ReserveRequest): Promise<boolean> {
    if (r.limit <= 0) return false;
    const now = this.clock.now().getTime();
    const anon = `${now.toString(36)}.${Math.random().toString(36).slice(2)}`;
    const keys = [`${this.p}i:${r.identityId}`, `${this.p}r:${r.identityId}`];
    const args = [this.p, now, Math.ceil(r.ttlMs), r.limit, r.callingStationId ?? '', anon, now + Math.ceil(r.ttlMs)];
    return (await runScript(this.redis, RESERVE, keys, args)) === 1;
  }

  private async list(setKey: string): Promise<LiveSession[]> {
    const rows = (await runScript(this.redis, LIST_SET, [setKey], [this.p])) as string[][];
    return rows.map(decode);
  }
}

/** Field names in the hash: short, as there is one hash per live session. */
function encode(s: LiveSession): (string | number)[] {
  const out: (string | number)[] = [
    't', s.tenantId,
    'n', s.nasIp,
    'a', s.acctSessionId,
    'u', s.username,
    'sa', s.startedAt.getTime(),
    'ua', s.updatedAt.getTime(),
    'ii', s.interimInterval,
    'st', s.sessionTime,
    'io', s.inputOctets,
    'oo', s.outputOctets,
  ];
  // Absent field = null.
  if (s.identityId !== null) out.push('i', s.identityId);
  if (s.callingStationId !== null) out.push('c', s.callingStationId);
  if (s.apId !== null) out.push('ap', s.apId);
  if (s.framedIp !== null) out.push('f', s.framedIp);
  return out;
}

function decode(flat: string[]): LiveSession {
  const rec: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) rec[flat[i]!] = flat[i + 1]!;
  return fromRecord(rec);
}

function fromRecord(h: Record<string, string>): LiveSession {
  return {
    tenantId: h.t!,
    nasIp: h.n!,
    acctSessionId: h.a!,
    identityId: h.i ?? null,
    username: h.u ?? '',
    callingStationId: (h.c ?? null) as Mac | null,
    apId: h.ap ?? null,
    framedIp: h.f ?? null,
    startedAt: new Date(Number(h.sa)),
    updatedAt: new Date(Number(h.ua)),
    interimInterval: Number(h.ii),
    sessionTime: Number(h.st),
    inputOctets: Number(h.io),
    outputOctets: Number(h.oo),
  };
}
