/**
 * Runs the shared-state contract suites for the in-process, the Redis and
 * the resilient (Redis with a local fallback, while Redis is up) adapters,
 * plus what only one adapter has (bounded memory, Redis TTLs).
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryLiveSessionStore } from '../../controller/adapters/memory/live-sessions.js';
import { MemoryRateLimiter } from '../../controller/adapters/memory/rate-limit.js';
import { createMemorySharedState } from '../../controller/adapters/memory/shared-state.js';
import { RedisLiveSessionStore } from '../../controller/adapters/redis/live-sessions.js';
import { RedisRateLimiter } from '../../controller/adapters/redis/rate-limit.js';
import { createRedisSharedState } from '../../controller/adapters/redis/shared-state.js';
import { createResilientSharedState, failFastRedisOptions, type ResilientSharedState } from '../../controller/adapters/resilient/shared-state.js';
import type { Clock } from '../../controller/ports/clock.js';
import { useRedis, testPrefix } from '../helpers/services.js';
import { describeLiveSessionStore, manualClock } from './live-sessions.contract.js';
import { describeRateLimiter } from './rate-limit.contract.js';

const redis = await useRedis();
afterAll(async () => {
  await redis?.stop();
});

/** Two connections ("two nodes") on a fresh prefix; close() deletes the prefix's keys. */
async function redisPair(label: string): Promise<{ c1: Redis; c2: Redis; prefix: string; close(): Promise<void> }> {
  const prefix = testPrefix(label);
  const c1 = new Redis(redis!.url);
  const c2 = new Redis(redis!.url);
  return {
    c1,
    c2,
    prefix,
    close: async () => {
      await deleteByPrefix(c1, prefix);
      await Promise.all([c1.quit(), c2.quit()]);
    },
  };
}

async function deleteByPrefix(c: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await c.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length) await c.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

describeLiveSessionStore('memory', async (clock) => {
  const s = new MemoryLiveSessionStore({ clock });
  return { a: s, b: s, close: async () => {} };
});

describeLiveSessionStore(
  'redis',
  async (clock) => {
    const pair = await redisPair('ls');
    return {
      a: new RedisLiveSessionStore({ redis: pair.c1, prefix: pair.prefix, clock }),
      b: new RedisLiveSessionStore({ redis: pair.c2, prefix: pair.prefix, clock }),
      close: pair.close,
    };
  },
  { skip: !redis },
);

/**
 * Two resilient shared states ("two nodes") on fail-fast connections, up
 * before the suite starts: while Redis answers they must behave exactly as
 * the Redis adapters do.
 */
async function resilientPair(label: string, clock: Clock): Promise<{ a: ResilientSharedState; b: ResilientSharedState; close(): Promise<void> }> {
  const pair = await redisPair(label);
  const conns = [new Redis(redis!.url, failFastRedisOptions()), new Redis(redis!.url, failFastRedisOptions())];
  const [a, b] = conns.map((connection) =>
    createResilientSharedState({ connection, redis: createRedisSharedState({ redis: connection, prefix: pair.prefix, clock }), clock }),
  ) as [ResilientSharedState, ResilientSharedState];
  for (const s of [a, b]) {
    const deadline = Date.now() + 5_000;
    while (!s.link.up) {
      if (Date.now() > deadline) throw new Error('the resilient shared state did not come up');
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  return {
    a,
    b,
    close: async () => {
      await Promise.all([a.close(), b.close()]);
      await Promise.all(conns.map((c) => c.quit()));
      await pair.close();
    },
  };
}

describeLiveSessionStore(
  'resilient (Redis up)',
  async (clock) => {
    const { a, b, close } = await resilientPair('ls-res', clock);
    return { a: a.liveSessions, b: b.liveSessions, close };
  },
  { skip: !redis },
);

describeRateLimiter(
  'resilient (Redis up)',
  async (clock) => {
    const { a, b, close } = await resilientPair('rl-res', clock);
    return { a: a.rateLimits, b: b.rateLimits, close };
  },
  { skip: !redis },
);

describeRateLimiter('memory', async (clock) => {
  const rl = new MemoryRateLimiter({ clock });
  return { a: rl, b: rl, close: async () => {} };
});

describeRateLimiter(
  'redis',
  async (clock) => {
    const pair = await redisPair('rl');
    return {
      a: new RedisRateLimiter({ redis: pair.c1, prefix: pair.prefix, clock }),
      b: new RedisRateLimiter({ redis: pair.c2, prefix: pair.prefix, clock }),
      close: pair.close,
    };
  },
  { skip: !redis },
);

describe('MemoryRateLimiter memory bound', () => {
  it('never holds more than maxKeys, dropping expired entries first', async () => {
    const clock = manualClock();
    const rl = new MemoryRateLimiter({ clock, maxKeys: 100 });
    const locked = { limit: 1, windowMs: 60_000 };
    for (let i = 0; i < 1000; i++) await rl.hit(`ip:${i}`, { limit: 5, windowMs: 1000 });
    expect(rl.size).toBeLessThanOrEqual(100);
    clock.advance(1000);
    await rl.hit('ident:victim', locked);
    for (let i = 0; i < 99; i++) await rl.hit(`late:${i}`, { limit: 5, windowMs: 1000 });
    // The expired entries made room: the lockout is still remembered.
    expect((await rl.peek('ident:victim', locked)).allowed).toBe(false);
    expect(rl.size).toBeLessThanOrEqual(100);
  });

  it('forgets expired entries as it goes, without reaching the bound', async () => {
    const clock = manualClock();
    const rl = new MemoryRateLimiter({ clock });
    for (let i = 0; i < 500; i++) {
      await rl.hit(`ip:${i}`, { limit: 5, windowMs: 1000 });
      clock.advance(10);
    }
    // Only the last ~100 (one window's worth) can still be live; sweeping keeps up.
    expect(rl.size).toBeLessThan(110);
  });
});

describe.skipIf(!redis)('Redis adapters on real time', () => {
  it('Redis itself forgets a rate-limit key when its window ends', async () => {
    const pair = await redisPair('rl-ttl');
    try {
      const rl = new RedisRateLimiter({ redis: pair.c1, prefix: pair.prefix });
      await rl.hit('k', { limit: 3, windowMs: 100 });
      const ttl = await pair.c1.pttl(`${pair.prefix}rl:k`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(100);
      await new Promise((r) => setTimeout(r, 150));
      expect(await pair.c1.exists(`${pair.prefix}rl:k`)).toBe(0);
      expect((await rl.hit('k', { limit: 3, windowMs: 100 })).remaining).toBe(2);
    } finally {
      await pair.close();
    }
  });

  it('reservation keys carry a TTL so abandoned ones leave Redis', async () => {
    const pair = await redisPair('ls-ttl');
    try {
      const ls = new RedisLiveSessionStore({ redis: pair.c1, prefix: pair.prefix });
      expect(await ls.tryReserve({ identityId: 'alice', limit: 1, ttlMs: 100 })).toBe(true);
      expect(await ls.tryReserve({ identityId: 'alice', limit: 1, ttlMs: 100 })).toBe(false);
      await new Promise((r) => setTimeout(r, 150));
      expect(await pair.c1.exists(`${pair.prefix}ls:r:alice`)).toBe(0);
      expect(await ls.tryReserve({ identityId: 'alice', limit: 1, ttlMs: 100 })).toBe(true);
    } finally {
      await pair.close();
    }
  });

  it('scripts survive SCRIPT FLUSH (EVALSHA falls back to EVAL)', async () => {
    const pair = await redisPair('ls-flush');
    try {
      const ls = new RedisLiveSessionStore({ redis: pair.c1, prefix: pair.prefix });
      await ls.tryReserve({ identityId: 'alice', limit: 1, ttlMs: 1000 });
      // Flushes only the script cache, which every client re-fills on demand.
      await pair.c2.script('FLUSH');
      expect(await ls.countByTenant()).toEqual(new Map());
      expect(await ls.tryReserve({ identityId: 'bob', limit: 1, ttlMs: 1000 })).toBe(true);
    } finally {
      await pair.close();
    }
  });
});

describe('SharedState factories', () => {
  it('memory: both parts, ping and close', async () => {
    const s = createMemorySharedState();
    expect(s.backend).toBe('memory');
    await s.ping();
    expect(await s.liveSessions.countByIdentity('x')).toBe(0);
    expect((await s.rateLimits.hit('x', { limit: 1, windowMs: 1000 })).allowed).toBe(true);
    await s.close();
  });

  it.skipIf(!redis)('redis: owns the connection it opened', async () => {
    const prefix = testPrefix('ss');
    const s = createRedisSharedState({ url: redis!.url, prefix });
    expect(s.backend).toBe('redis');
    await s.ping();
    expect(await s.liveSessions.countByIdentity('x')).toBe(0);
    await s.rateLimits.hit('x', { limit: 1, windowMs: 1000 });
    await s.rateLimits.reset('x');
    await s.close();
  });
});
