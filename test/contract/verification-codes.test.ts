/**
 * Runs the verification-code contract for the in-process and the Redis
 * adapters, plus what only one of them has (bounded memory, Redis TTLs).
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryVerificationCodeStore } from '../../controller/adapters/memory/verification-codes.js';
import { RedisVerificationCodeStore } from '../../controller/adapters/redis/verification-codes.js';
import { testPrefix, useRedis } from '../helpers/services.js';
import { manualClock } from './live-sessions.contract.js';
import { describeVerificationCodeStore } from './verification-codes.contract.js';

const redis = await useRedis();
afterAll(async () => {
  await redis?.stop();
});

async function deleteByPrefix(c: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await c.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length) await c.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

describeVerificationCodeStore('memory', async (clock) => {
  const s = new MemoryVerificationCodeStore({ clock });
  return { a: s, b: s, close: async () => {} };
});

describeVerificationCodeStore(
  'redis',
  async (clock) => {
    const prefix = testPrefix('vc');
    const c1 = new Redis(redis!.url);
    const c2 = new Redis(redis!.url);
    return {
      a: new RedisVerificationCodeStore({ redis: c1, prefix, clock }),
      b: new RedisVerificationCodeStore({ redis: c2, prefix, clock }),
      close: async () => {
        await deleteByPrefix(c1, prefix);
        await Promise.all([c1.quit(), c2.quit()]);
      },
    };
  },
  { skip: !redis },
);

describe('MemoryVerificationCodeStore memory bound', () => {
  it('forgets expired codes and closed windows as new codes are issued', async () => {
    const clock = manualClock();
    const s = new MemoryVerificationCodeStore({ clock });
    for (let i = 0; i < 2000; i++) {
      await s.issue({ purpose: 'verify-email', subject: `s-${i}`, digest: 'd', ttlMs: 1000, cooldownMs: 1000, dailyCap: 5 });
      clock.advance(60_000);
    }
    // A day holds 1440 minutes: older windows have been swept.
    expect(s.size).toBeLessThan(2 * 1500);
  });
});

describe.skipIf(!redis)('RedisVerificationCodeStore on real time', () => {
  it('keys carry TTLs so Redis forgets them', async () => {
    const prefix = testPrefix('vc-ttl');
    const c = new Redis(redis!.url);
    try {
      const s = new RedisVerificationCodeStore({ redis: c, prefix });
      await s.issue({ purpose: 'reset-password', subject: 'x', digest: 'd', ttlMs: 100, cooldownMs: 50, dailyCap: 2 });
      const codeTtl = await c.pttl(`${prefix}vc:reset-password:x`);
      expect(codeTtl).toBeGreaterThan(0);
      expect(codeTtl).toBeLessThanOrEqual(100);
      const sentTtl = await c.pttl(`${prefix}vcs:reset-password:x`);
      expect(sentTtl).toBeGreaterThan(23 * 3600_000);
      await new Promise((r) => setTimeout(r, 150));
      expect(await c.exists(`${prefix}vc:reset-password:x`)).toBe(0);
      await deleteByPrefix(c, prefix);
    } finally {
      await c.quit();
    }
  });
});
