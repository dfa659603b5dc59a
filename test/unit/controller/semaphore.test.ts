import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../../controller/security/semaphore.js';

function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('Semaphore', () => {
  it('refuses a limit that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, NaN]) expect(() => new Semaphore(bad)).toThrow(RangeError);
  });

  it('runs at most `limit` tasks at once and queues the rest', async () => {
    const gate = new Semaphore(2);
    let active = 0;
    let peak = 0;
    const releases = Array.from({ length: 6 }, () => deferred());
    const runs = releases.map((d, i) =>
      gate.run(async () => {
        active++;
        peak = Math.max(peak, active);
        await d.promise;
        active--;
        return i;
      }),
    );
    await tick();
    expect(active).toBe(2);
    expect(gate.waiting).toBe(4);
    for (const d of releases) {
      d.resolve();
      await tick();
    }
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
    expect(gate.waiting).toBe(0);
  });

  it('starts queued tasks in arrival order', async () => {
    const gate = new Semaphore(1);
    const order: number[] = [];
    const first = deferred();
    const runs = [gate.run(() => first.promise)];
    for (let i = 1; i <= 5; i++) runs.push(gate.run(async () => void order.push(i)));
    first.resolve();
    await Promise.all(runs);
    expect(order).toEqual([1, 2, 3, 4, 5]);
  });

  it('frees the slot when a task throws', async () => {
    const gate = new Semaphore(1);
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 'next')).toBe('next');
  });

  // KNOWN BUG in controller/security/semaphore.ts (reported, owner to fix):
  // run() wakes a waiter and only then, a microtask later, counts it active,
  // so a newcomer arriving in between also passes (2 running with limit 1)
  // and jumps the queue. Fix: hand the slot over in release (`next ? next()
  // : this.active--`) and do not increment after waking. Turn `it.fails`
  // into `it` with that fix.
  it('a slot freed while a task waits goes to that task, not to a newcomer of the same tick', async () => {
    // The newcomer arrives a few microtasks after the release: try each depth,
    // since where the hand-over can be overtaken depends on await mechanics.
    for (let depth = 0; depth < 8; depth++) {
      const gate = new Semaphore(1);
      let active = 0;
      let peak = 0;
      const order: string[] = [];
      const task = (name: string, hold: Promise<void>) =>
        gate.run(async () => {
          active++;
          peak = Math.max(peak, active);
          order.push(name);
          await hold;
          active--;
        });
      const holdA = deferred();
      const holdLater = deferred();
      const a = task('a', holdA.promise);
      const b = task('b', holdLater.promise); // queued behind a
      await tick();
      holdA.resolve();
      let later: Promise<unknown> = Promise.resolve();
      for (let i = 0; i < depth; i++) later = later.then(() => undefined);
      const c = later.then(() => task('c', holdLater.promise));
      await tick();
      expect({ depth, peak, order }).toEqual({ depth, peak: 1, order: ['a', 'b'] });
      holdLater.resolve();
      await Promise.all([a, b, c]);
      expect(order).toEqual(['a', 'b', 'c']);
    }
  });
});
