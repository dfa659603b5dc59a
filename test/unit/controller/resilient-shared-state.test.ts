/**
 * The resilient shared state against a real redis-server of its own that
 * the tests kill, freeze and restart: what the node answers while Redis is
 * away, how fast, and what Redis holds once it is back.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Mac } from '../../../controller/domain/mac.js';
import { createMetrics, type Metrics } from '../../../controller/metrics.js';
import { RedisLiveSessionStore } from '../../../controller/adapters/redis/live-sessions.js';
import { createRedisLoginTokens } from '../../../controller/adapters/redis/login-tokens.js';
import { createRedisSharedState } from '../../../controller/adapters/redis/shared-state.js';
import { RedisVerificationCodeStore } from '../../../controller/adapters/redis/verification-codes.js';
import {
  RedisUnavailableError,
  createResilientSharedState,
  failFastRedisOptions,
  type ResilientSharedState,
} from '../../../controller/adapters/resilient/shared-state.js';
import { isUnavailable } from '../../../controller/adapters/resilient/redis-link.js';
import type { LiveSession } from '../../../controller/ports/live-sessions.js';
import type { LoginTokenStore } from '../../../controller/ports/login-tokens.js';
import type { VerificationCodeStore } from '../../../controller/ports/verification-codes.js';
import { startOwnRedis, type OwnRedis } from '../../helpers/redis-server.js';
import { testPrefix } from '../../helpers/services.js';

const server = await startOwnRedis();
afterAll(async () => {
  await server?.stop();
});

const MAC_A = 'aa:bb:cc:00:00:01' as Mac;
const MAC_B = 'aa:bb:cc:00:00:02' as Mac;

function session(acctSessionId: string, over: Partial<LiveSession> = {}): LiveSession {
  const now = new Date();
  return {
    tenantId: 'tenant-1',
    nasIp: '192.0.2.10',
    acctSessionId,
    identityId: 'alice',
    username: 'alice',
    callingStationId: MAC_A,
    apId: null,
    framedIp: null,
    startedAt: now,
    updatedAt: now,
    interimInterval: 600,
    sessionTime: 0,
    inputOctets: 0,
    outputOctets: 0,
    ...over,
  };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

async function timed<T>(p: Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const started = performance.now();
  try {
    const value = await p;
    return { ms: performance.now() - started, value };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

async function metric(metrics: Metrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = (await metrics.registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = m?.values.find((x) => Object.entries(labels).every(([k, l]) => x.labels[k] === l));
  return v?.value ?? 0;
}

describe.skipIf(!server)('resilient shared state with its Redis stopped and restarted', () => {
  const redis = server as OwnRedis;
  let connection: Redis;
  /** A second client: what other nodes (and the tests) see in Redis. */
  let observer: Redis;
  let prefix: string;
  let shared: ResilientSharedState;
  let tokens: LoginTokenStore;
  let codes: VerificationCodeStore;
  let metrics: Metrics;
  let inRedis: RedisLiveSessionStore;

  beforeAll(async () => {
    observer = new Redis(redis.url, { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 1 });
    observer.on('error', () => {}); // it reconnects by itself after each restart
    await observer.connect();
  });
  afterAll(async () => {
    observer.disconnect();
  });

  beforeEach(async () => {
    if (!(await observer.ping().catch(() => null))) await redis.restart();
    metrics = createMetrics({ defaultMetrics: false });
    prefix = testPrefix('resilient');
    connection = new Redis(redis.url, { ...failFastRedisOptions(200), enableAutoPipelining: true });
    shared = createResilientSharedState({
      connection,
      redis: createRedisSharedState({ redis: connection, prefix }),
      metrics: metrics.stores,
      timeoutMs: 200,
      probeIntervalMs: 100,
    });
    tokens = shared.loginTokens(createRedisLoginTokens(connection, prefix));
    codes = shared.verificationCodes(new RedisVerificationCodeStore({ redis: connection, prefix }));
    inRedis = new RedisLiveSessionStore({ redis: observer, prefix });
    await until(() => shared.link.up, 5_000, 'the link comes up');
  });
  afterEach(async () => {
    await shared.close();
    connection.disconnect();
  });

  /** Kills the server and waits until the wrapper has noticed. */
  async function outage(): Promise<void> {
    await redis.kill('SIGKILL');
    await until(() => !shared.link.up, 2_000, 'the link goes down');
  }

  async function comeBack(): Promise<number> {
    await redis.restart();
    await until(() => observer.status === 'ready', 5_000, 'the observer reconnects');
    return until(() => shared.link.up, 10_000, 'the link comes back up');
  }

  it('while up: every port goes to Redis, and Redis shows it', async () => {
    expect(shared.link.state).toBe('up');
    expect(await metric(metrics, 'wfc_redis_up')).toBe(1);
    await shared.ping();
    expect(await shared.liveSessions.start(session('S-1'))).toBe(true);
    expect(await inRedis.countByIdentity('alice')).toBe(1);
    await shared.rateLimits.hit('ident:alice', { limit: 3, windowMs: 60_000 });
    expect(await observer.hget(`${prefix}rl:ident:alice`, 'c')).toBe('1');
    await tokens.issue({ secret: 'wfct_x', identityId: 'alice', tenantId: 'tenant-1', mac: MAC_A, expiresAt: new Date(Date.now() + 60_000) });
    expect(await observer.exists(`${prefix}tok:wfct_x`)).toBe(1);
    expect(await codes.issue({ purpose: 'verify-email', subject: 'alice', digest: 'ab', ttlMs: 60_000, cooldownMs: 0, dailyCap: 5 })).toEqual({ ok: true });
    expect(await metric(metrics, 'wfc_shared_state_degraded_total')).toBe(0);
  });

  it('a killed Redis is noticed at once: ping fails fast, wfc_redis_up 0, one reconnect counted', async () => {
    await outage();
    expect(await metric(metrics, 'wfc_redis_up')).toBe(0);
    expect(await metric(metrics, 'wfc_redis_reconnects_total')).toBe(1);
    const ping = await timed(shared.ping());
    expect(ping.error).toBeInstanceOf(RedisUnavailableError);
    expect((ping.error as Error).message).toMatch(/unreachable/);
    expect(ping.ms).toBeLessThan(100);
  });

  it('while down: rate limits count and lock out on this node, answering at once', async () => {
    await outage();
    const three = { limit: 3, windowMs: 60_000 };
    const results = [];
    for (let i = 0; i < 4; i++) {
      const r = await timed(shared.rateLimits.hit('ident:mallory', three));
      expect(r.ms).toBeLessThan(100);
      results.push(r.value!.allowed);
    }
    expect(results).toEqual([true, true, true, false]);
    expect((await shared.rateLimits.peek('ident:mallory', three)).allowed).toBe(false);
    await shared.rateLimits.reset('ident:mallory');
    expect((await shared.rateLimits.peek('ident:mallory', three)).allowed).toBe(true);
    expect(await metric(metrics, 'wfc_shared_state_degraded_total', { port: 'rate-limits', operation: 'hit' })).toBe(4);
    expect(await metric(metrics, 'wfc_shared_state_degraded_total', { port: 'rate-limits', operation: 'peek' })).toBe(2);
  });

  it('while down: Simultaneous-Use is enforced from what this node saw, at once', async () => {
    await outage();
    const reserve = (mac: Mac) => shared.liveSessions.tryReserve({ identityId: 'bob', limit: 1, ttlMs: 10_000, callingStationId: mac });
    const first = await timed(reserve(MAC_A));
    expect(first).toMatchObject({ value: true });
    expect(first.ms).toBeLessThan(100);
    expect(await reserve(MAC_B)).toBe(false);
    await shared.liveSessions.start(session('S-bob', { identityId: 'bob', username: 'bob', callingStationId: MAC_A }));
    expect(await shared.liveSessions.countByIdentity('bob')).toBe(1);
    expect(await reserve(MAC_B)).toBe(false);
    expect(await reserve(MAC_A)).toBe(true); // a device is never counted against itself
    expect(await metric(metrics, 'wfc_shared_state_degraded_total', { port: 'live-sessions', operation: 'tryReserve' })).toBe(4);
  });

  it('while down: login tokens and verification codes fail closed, at once', async () => {
    await outage();
    const calls = [
      tokens.issue({ secret: 'wfct_y', identityId: 'alice', tenantId: 'tenant-1', mac: MAC_A, expiresAt: new Date(Date.now() + 60_000) }),
      tokens.peek('wfct_x'),
      tokens.consume('wfct_x'),
      tokens.pending('alice', MAC_A),
      codes.issue({ purpose: 'verify-email', subject: 'alice', digest: 'ab', ttlMs: 60_000, cooldownMs: 0, dailyCap: 5 }),
      codes.check({ purpose: 'verify-email', subject: 'alice', digest: 'ab', maxAttempts: 5 }),
      codes.revoke('verify-email', 'alice'),
    ];
    for (const c of calls) {
      const r = await timed(c as Promise<unknown>);
      expect(r.error).toBeInstanceOf(RedisUnavailableError);
      expect(r.ms).toBeLessThan(100);
    }
  });

  it('back up: what accounting wrote locally is in Redis before the link says up, and local state is gone', async () => {
    // Before the outage: two sessions in Redis.
    await shared.liveSessions.start(session('S-before-stopped'));
    await shared.liveSessions.start(session('S-before-touched', { identityId: 'carol', username: 'carol' }));
    await shared.liveSessions.start(session('S-other-nas', { nasIp: '192.0.2.99', identityId: null, callingStationId: null }));
    await outage();

    // During it: a Start, an Interim for a session Redis already had (touch false → start, as accounting does),
    // a Stop for a session only Redis knew, an Accounting-On from another NAS.
    const later = new Date(Date.now() + 5_000);
    expect(await shared.liveSessions.start(session('S-during', { identityId: 'dave', username: 'dave' }))).toBe(true);
    expect(await shared.liveSessions.touch(session('S-before-touched'), { updatedAt: later, sessionTime: 60, inputOctets: 1000, outputOctets: 2000 })).toBe(false);
    expect(await shared.liveSessions.start(session('S-before-touched', { identityId: 'carol', username: 'carol', updatedAt: later, sessionTime: 60, inputOctets: 1000, outputOctets: 2000 }))).toBe(true);
    expect(await shared.liveSessions.stop(session('S-before-stopped'))).toBeNull();
    expect(await shared.liveSessions.closeByNas('tenant-1', '192.0.2.99')).toEqual([]);
    expect(shared.liveSessions.pending).toBe(4);
    await shared.rateLimits.hit('ident:eve', { limit: 1, windowMs: 60_000 });
    expect((await shared.rateLimits.peek('ident:eve', { limit: 1, windowMs: 60_000 })).allowed).toBe(false);

    const ms = await comeBack();
    expect(ms).toBeLessThan(10_000);
    // Redis restarted empty: the hand-back re-created what this node knows of.
    expect(await inRedis.get(session('S-during'))).toMatchObject({ identityId: 'dave' });
    expect(await inRedis.get(session('S-before-touched'))).toMatchObject({ sessionTime: 60, inputOctets: 1000, outputOctets: 2000, updatedAt: later });
    expect(await inRedis.get(session('S-before-stopped'))).toBeNull();
    expect(shared.liveSessions.pending).toBe(0);
    expect(await metric(metrics, 'wfc_redis_up')).toBe(1);
    await shared.ping();
    // Served from Redis again: the local lockout is forgotten, the restarted Redis has none.
    expect((await shared.rateLimits.peek('ident:eve', { limit: 1, windowMs: 60_000 })).allowed).toBe(true);
    expect(await shared.liveSessions.countByIdentity('dave')).toBe(1);
    await tokens.issue({ secret: 'wfct_z', identityId: 'alice', tenantId: 'tenant-1', mac: MAC_A, expiresAt: new Date(Date.now() + 60_000) });
    expect(await tokens.consume('wfct_z')).toMatchObject({ identityId: 'alice' });
  });

  it('back up with Redis state kept (a network cut, not a restart): stops and NAS closes reach Redis', async () => {
    await shared.liveSessions.start(session('S-stopped-during'));
    await shared.liveSessions.start(session('S-nas-1', { nasIp: '192.0.2.99', identityId: null, callingStationId: null }));
    await shared.liveSessions.start(session('S-kept', { identityId: 'frank', username: 'frank' }));
    // Same Redis, unreachable for a while: the link is cut from our side.
    shared.link.markDown(new Error('network cut'));
    await shared.liveSessions.stop(session('S-stopped-during'));
    await shared.liveSessions.closeByNas('tenant-1', '192.0.2.99');
    expect(await inRedis.get(session('S-stopped-during'))).not.toBeNull();
    // The probe finds Redis answering and hands back.
    await until(() => shared.link.up, 5_000, 'the probe brings the link up');
    expect(await inRedis.get(session('S-stopped-during'))).toBeNull();
    expect(await inRedis.get(session('S-nas-1'))).toBeNull();
    expect(await inRedis.get(session('S-kept'))).toMatchObject({ identityId: 'frank' });
  });

  it('a session the hand-back could not keep returns with its next Interim (touch false, then start)', async () => {
    await outage();
    const small = createResilientSharedState({
      connection,
      redis: createRedisSharedState({ redis: connection, prefix }),
      maxJournal: 1,
    });
    try {
      await small.liveSessions.start(session('S-forgotten'));
      await small.liveSessions.start(session('S-kept'));
      await comeBack();
      await until(() => small.link.up, 5_000, 'the second wrapper comes up');
      expect(await inRedis.get(session('S-forgotten'))).toBeNull();
      expect(await inRedis.get(session('S-kept'))).not.toBeNull();
      const interim = { updatedAt: new Date(), sessionTime: 30, inputOctets: 1, outputOctets: 1 };
      expect(await small.liveSessions.touch(session('S-forgotten'), interim)).toBe(false);
      expect(await small.liveSessions.start(session('S-forgotten', { sessionTime: 30 }))).toBe(true);
      expect(await inRedis.get(session('S-forgotten'))).toMatchObject({ sessionTime: 30 });
    } finally {
      small.link.close();
    }
  });

  it('a hung Redis (SIGSTOP) costs one call the time bound, then the node answers locally until it thaws', async () => {
    redis.freeze();
    try {
      const first = await timed(shared.rateLimits.hit('ip:192.0.2.1', { limit: 5, windowMs: 60_000 }));
      expect(first.value).toMatchObject({ allowed: true });
      expect(first.ms).toBeGreaterThanOrEqual(150);
      expect(first.ms).toBeLessThan(600);
      expect(shared.link.up).toBe(false);
      const second = await timed(shared.liveSessions.tryReserve({ identityId: 'gina', limit: 1, ttlMs: 1000 }));
      expect(second).toMatchObject({ value: true });
      expect(second.ms).toBeLessThan(100);
      expect(await metric(metrics, 'wfc_redis_reconnects_total')).toBe(1);
      const ping = await timed(shared.ping());
      expect(ping.error).toBeInstanceOf(RedisUnavailableError);
      expect(ping.ms).toBeLessThan(100);
    } finally {
      redis.thaw();
    }
    await until(() => shared.link.up, 5_000, 'the probe brings the link up after the thaw');
    await shared.ping();
  });

  it('started while Redis is down: serves locally, then goes up when Redis starts', async () => {
    await redis.kill('SIGKILL');
    const c = new Redis(redis.url, failFastRedisOptions(200));
    const m = createMetrics({ defaultMetrics: false });
    const s = createResilientSharedState({ connection: c, redis: createRedisSharedState({ redis: c, prefix }), metrics: m.stores, timeoutMs: 200 });
    try {
      expect(s.link.up).toBe(false);
      expect((await s.rateLimits.hit('k', { limit: 1, windowMs: 1000 })).allowed).toBe(true);
      await expect(s.ping()).rejects.toBeInstanceOf(RedisUnavailableError);
      await redis.restart();
      await until(() => s.link.up, 10_000, 'the link comes up');
      expect(await metric(m, 'wfc_redis_up')).toBe(1);
      // Never lost a connection it had: nothing to count.
      expect(await metric(m, 'wfc_redis_reconnects_total')).toBe(0);
    } finally {
      await s.close();
      c.disconnect();
    }
  });

  it('a reply error from Redis is a fault to report, not an outage', async () => {
    await observer.set(`${prefix}rl:wrongtype`, 'x');
    await expect(shared.rateLimits.hit('wrongtype', { limit: 1, windowMs: 1000 })).rejects.toThrow(/WRONGTYPE/);
    expect(shared.link.up).toBe(true);
  });
});

describe('isUnavailable', () => {
  const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });
  it('treats transport errors and "cannot serve now" replies as an outage, other replies as faults', () => {
    expect(isUnavailable(new Error('Connection is closed.'))).toBe(true);
    expect(isUnavailable(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe(true);
    expect(isUnavailable(new Error('Command timed out'))).toBe(true);
    expect(isUnavailable(reply('LOADING Redis is loading the dataset in memory'))).toBe(true);
    expect(isUnavailable(reply("OOM command not allowed when used memory > 'maxmemory'."))).toBe(true);
    expect(isUnavailable(reply('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe(false);
    expect(isUnavailable(reply('ERR Error running script'))).toBe(false);
  });
});
