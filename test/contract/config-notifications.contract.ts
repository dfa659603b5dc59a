/**
 * The config-notification port's contract. `a` and `b` stand for two
 * nodes: for the in-process adapter they are the same instance.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigChange, ConfigNotifier } from '../../controller/ports/config-notifications.js';

export interface NotifierPair {
  readonly a: ConfigNotifier;
  readonly b: ConfigNotifier;
  close(): Promise<void>;
}

const change = (n: number): ConfigChange => ({ tenantId: 't1', apId: `ap-${n}`, version: n, checksum: `c${n}` });

function collect(n: ConfigNotifier): { got: ConfigChange[]; until(count: number, ms?: number): Promise<ConfigChange[]>; off(): void } {
  const got: ConfigChange[] = [];
  const off = n.subscribe((batch) => got.push(...batch));
  return {
    got,
    off,
    async until(count, ms = 3000) {
      const deadline = Date.now() + ms;
      while (got.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      return got;
    },
  };
}

export function describeConfigNotifier(name: string, make: () => Promise<NotifierPair>, opts: { skip?: boolean } = {}): void {
  describe.skipIf(!!opts.skip)(`ConfigNotifier contract: ${name}`, () => {
    let pair: NotifierPair;
    beforeEach(async () => {
      pair = await make();
      await Promise.all([pair.a.ready(), pair.b.ready()]);
    });
    afterEach(async () => {
      await pair.close();
    });

    it('delivers what one node publishes to subscribers on every node, the publisher included', async () => {
      const onA = collect(pair.a);
      const onB = collect(pair.b);
      await pair.a.publish([change(1), change(2)]);
      expect(await onB.until(2)).toEqual([change(1), change(2)]);
      expect(await onA.until(2)).toEqual([change(1), change(2)]);
    });

    it('stops delivering after unsubscribe, and ignores an empty batch', async () => {
      const kept = collect(pair.b);
      const dropped = collect(pair.b);
      dropped.off();
      await pair.a.publish([]);
      await pair.a.publish([change(3)]);
      expect(await kept.until(1)).toEqual([change(3)]);
      expect(dropped.got).toEqual([]);
    });

    it('keeps delivering to the others when a listener throws', async () => {
      pair.b.subscribe(() => {
        throw new Error('broken listener');
      });
      const ok = collect(pair.b);
      await pair.a.publish([change(4)]);
      expect(await ok.until(1)).toEqual([change(4)]);
    });

    it('delivers a 10,000-AP batch whole, in order', async () => {
      const on = collect(pair.b);
      const all = Array.from({ length: 10_000 }, (_, i) => change(i));
      await pair.a.publish(all);
      const got = await on.until(10_000, 10_000);
      expect(got.length).toBe(10_000);
      expect(got[0]).toEqual(change(0));
      expect(got[9_999]).toEqual(change(9_999));
    });
  });
}
