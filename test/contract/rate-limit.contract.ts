/**
 * The one suite every RateLimiter adapter passes (memory, Redis), on a
 * manual clock. `a` and `b` are two handles on the same state.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RateLimiter } from '../../controller/ports/rate-limit.js';
import { manualClock, type ManualClock } from './live-sessions.contract.js';

export interface RateLimiterFixture {
  readonly a: RateLimiter;
  readonly b: RateLimiter;
  close(): Promise<void>;
}

const MIN = 60_000;

export function describeRateLimiter(
  name: string,
  make: (clock: ManualClock) => Promise<RateLimiterFixture>,
  opts: { skip?: boolean } = {},
): void {
  describe.skipIf(opts.skip ?? false)(`RateLimiter contract: ${name}`, () => {
    let fx: RateLimiterFixture;
    let rl: RateLimiter;
    let clock: ManualClock;
    const five = { limit: 5, windowMs: 15 * MIN };

    beforeEach(async () => {
      clock = manualClock();
      fx = await make(clock);
      rl = fx.a;
    });
    afterEach(async () => {
      await fx.close();
    });

    it('allows `limit` hits, counting down, then refuses', async () => {
      const seen = [];
      for (let i = 0; i < 7; i++) seen.push(await (i % 2 ? fx.b : rl).hit('ident:alice', five));
      expect(seen.map((r) => r.allowed)).toEqual([true, true, true, true, true, false, false]);
      expect(seen.map((r) => r.remaining)).toEqual([4, 3, 2, 1, 0, 0, 0]);
      expect(seen.slice(0, 4).every((r) => r.retryAfterMs === 0)).toBe(true);
      expect(seen[4]!.retryAfterMs).toBe(15 * MIN);
    });

    it('peek reports without counting', async () => {
      expect(await rl.peek('ident:alice', five)).toEqual({ allowed: true, remaining: 5, retryAfterMs: 0 });
      for (let i = 0; i < 4; i++) await rl.hit('ident:alice', five);
      expect(await fx.b.peek('ident:alice', five)).toEqual({ allowed: true, remaining: 1, retryAfterMs: 0 });
      expect(await fx.b.peek('ident:alice', five)).toEqual({ allowed: true, remaining: 1, retryAfterMs: 0 });
      await rl.hit('ident:alice', five);
      clock.advance(MIN);
      expect(await rl.peek('ident:alice', five)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 14 * MIN });
    });

    it('a window below the limit ends and the key starts afresh', async () => {
      for (let i = 0; i < 4; i++) await rl.hit('ip:192.0.2.1', five);
      clock.advance(15 * MIN - 1);
      expect((await rl.peek('ip:192.0.2.1', five)).remaining).toBe(1);
      clock.advance(1);
      expect(await rl.peek('ip:192.0.2.1', five)).toEqual({ allowed: true, remaining: 5, retryAfterMs: 0 });
      expect((await rl.hit('ip:192.0.2.1', five)).remaining).toBe(4);
    });

    it('reaching the limit locks for lockoutMs from that hit; later hits do not extend it', async () => {
      const opts = { limit: 3, windowMs: 10 * MIN, lockoutMs: 30 * MIN };
      await rl.hit('k', opts);
      clock.advance(9 * MIN);
      await rl.hit('k', opts);
      const third = await rl.hit('k', opts); // locks until 9 + 30 min
      expect(third).toEqual({ allowed: true, remaining: 0, retryAfterMs: 30 * MIN });
      clock.advance(20 * MIN);
      expect(await fx.b.hit('k', opts)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 10 * MIN });
      clock.advance(10 * MIN - 1);
      expect((await rl.peek('k', opts)).allowed).toBe(false);
      clock.advance(1);
      expect(await rl.hit('k', opts)).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0 });
    });

    it('a lockout shorter than the rest of the window does not shorten it', async () => {
      const opts = { limit: 2, windowMs: 10 * MIN, lockoutMs: MIN };
      await rl.hit('k', opts);
      expect(await rl.hit('k', opts)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 10 * MIN });
    });

    it('reset forgets a key; keys are independent', async () => {
      for (let i = 0; i < 5; i++) await rl.hit('ident:alice', five);
      await rl.hit('ident:bob', five);
      expect((await rl.peek('ident:alice', five)).allowed).toBe(false);
      await fx.b.reset('ident:alice');
      expect(await rl.peek('ident:alice', five)).toEqual({ allowed: true, remaining: 5, retryAfterMs: 0 });
      expect((await rl.peek('ident:bob', five)).remaining).toBe(4);
      await rl.reset('never-seen');
    });

    it('counts exactly under concurrent hits from two nodes', async () => {
      const opts = { limit: 10, windowMs: MIN };
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? fx.b : rl).hit('client:203.0.113.9', opts)));
      expect(results.filter((r) => r.allowed)).toHaveLength(10);
      expect(results.map((r) => r.remaining).sort((x, y) => x - y).slice(-10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });
  });
}
