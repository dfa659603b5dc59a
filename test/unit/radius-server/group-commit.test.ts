import { describe, expect, it } from 'vitest';
import { createGroupCommit } from '../../../radius-server/process/group-commit.js';

describe('accounting group commit', () => {
  it('writes records that arrive together in one batch and settles each after the write', async () => {
    const batches: number[][] = [];
    const gc = createGroupCommit<number>(async (b) => {
      batches.push([...b]);
    }, 100);
    await Promise.all([1, 2, 3].map((n) => gc.add(n)));
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('batches what arrives during a write into the next write', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const gc = createGroupCommit<number>(async (b) => {
      batches.push([...b]);
      if (batches.length === 1) await gate;
    }, 100);
    const first = gc.add(1);
    await new Promise((r) => setImmediate(r));
    const later = [gc.add(2), gc.add(3)];
    release();
    await Promise.all([first, ...later]);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('respects the batch size', async () => {
    const sizes: number[] = [];
    const gc = createGroupCommit<number>(async (b) => {
      sizes.push(b.length);
    }, 4);
    await Promise.all(Array.from({ length: 10 }, (_, i) => gc.add(i)));
    expect(sizes).toEqual([4, 4, 2]);
  });

  it('fails only the bad record of a failed batch: the others are retried alone and acknowledged', async () => {
    const gc = createGroupCommit<number>(async (b) => {
      if (b.includes(13)) throw new Error('constraint');
    }, 100);
    const results = await Promise.allSettled([1, 13, 2].map((n) => gc.add(n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('drain waits for everything queued', async () => {
    let written = 0;
    const gc = createGroupCommit<number>(async (b) => {
      await new Promise((r) => setTimeout(r, 5));
      written += b.length;
    }, 2);
    for (let i = 0; i < 5; i++) void gc.add(i);
    await gc.drain();
    expect(written).toBe(5);
  });
});
