import { describe, expect, it } from 'vitest';
import { createDedupCache, type DedupKey } from '../../../radius-server/dedup.js';

const AUTH_1 = Buffer.alloc(16, 1);
const AUTH_2 = Buffer.alloc(16, 2);

function key(over: Partial<DedupKey> = {}): DedupKey {
  return { kind: 'auth', address: '192.0.2.10', port: 40_000, identifier: 7, authenticator: AUTH_1, ...over };
}

function clock(): { now: () => number; advance(ms: number): void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('createDedupCache (RFC 5080 §2.2.2)', () => {
  it('a retransmission of a finished request gets the same reply', () => {
    const d = createDedupCache();
    expect(d.begin(key())).toEqual({ state: 'new' });
    const reply = Buffer.from('access-accept');
    d.complete(key(), reply);
    const again = d.begin(key({ authenticator: Buffer.from(AUTH_1) })); // equal bytes, another Buffer
    expect(again).toEqual({ state: 'done', reply });
  });

  it('an in-flight duplicate waits and receives the same reply', async () => {
    const d = createDedupCache();
    d.begin(key());
    const dup1 = d.begin(key());
    const dup2 = d.begin(key());
    expect(dup1.state).toBe('in-flight');
    const reply = Buffer.from('accounting-response');
    d.complete(key(), reply);
    if (dup1.state !== 'in-flight' || dup2.state !== 'in-flight') throw new Error('expected in-flight');
    expect(await dup1.wait).toBe(reply);
    expect(await dup2.wait).toBe(reply);
  });

  it('a reused Identifier with a new authenticator is a new request, and replaces the slot', async () => {
    const d = createDedupCache();
    d.begin(key());
    const waiting = d.begin(key());
    expect(d.begin(key({ authenticator: AUTH_2 }))).toEqual({ state: 'new' });
    // The old request's duplicates are told to drop; its late completion changes nothing.
    if (waiting.state !== 'in-flight') throw new Error('expected in-flight');
    expect(await waiting.wait).toBeNull();
    d.complete(key(), Buffer.from('late'));
    expect(d.begin(key({ authenticator: AUTH_2 })).state).toBe('in-flight');
    d.complete(key({ authenticator: AUTH_2 }), Buffer.from('new'));
    expect(d.begin(key({ authenticator: AUTH_2 }))).toEqual({ state: 'done', reply: Buffer.from('new') });
    expect(d.size).toBe(1);
  });

  it('tells apart source address, port, Identifier and socket kind', () => {
    const d = createDedupCache();
    d.begin(key());
    for (const other of [key({ address: '192.0.2.11' }), key({ port: 40_001 }), key({ identifier: 8 }), key({ kind: 'acct' })]) {
      expect(d.begin(other)).toEqual({ state: 'new' });
    }
    expect(d.size).toBe(5);
  });

  it('drop: a retransmission is dropped too, without processing', async () => {
    const d = createDedupCache();
    d.begin(key());
    const waiting = d.begin(key());
    d.drop(key());
    if (waiting.state !== 'in-flight') throw new Error('expected in-flight');
    expect(await waiting.wait).toBeNull();
    expect(d.begin(key())).toEqual({ state: 'done', reply: null });
  });

  it('abandon: a retransmission is processed afresh (RFC 2866: no reply means retry)', async () => {
    const d = createDedupCache();
    d.begin(key());
    const waiting = d.begin(key());
    d.abandon(key());
    if (waiting.state !== 'in-flight') throw new Error('expected in-flight');
    expect(await waiting.wait).toBeNull();
    expect(d.begin(key())).toEqual({ state: 'new' });
  });

  it('entries expire after the window, counted again from completion', () => {
    const c = clock();
    const d = createDedupCache({ windowMs: 30_000, now: c.now });
    d.begin(key());
    c.advance(20_000);
    d.complete(key(), Buffer.from('r'));
    c.advance(29_999);
    expect(d.begin(key()).state).toBe('done');
    c.advance(1);
    expect(d.begin(key())).toEqual({ state: 'new' });
  });

  it('an in-flight entry that outlives the window lets a retransmission through', () => {
    const c = clock();
    const d = createDedupCache({ windowMs: 1000, now: c.now });
    d.begin(key());
    c.advance(1000);
    expect(d.begin(key())).toEqual({ state: 'new' });
  });

  it('sweeps expired entries as it goes', () => {
    const c = clock();
    const d = createDedupCache({ windowMs: 1000, now: c.now });
    for (let i = 0; i < 100; i++) d.begin(key({ identifier: i }));
    c.advance(1000);
    for (let i = 0; i < 100; i++) d.begin(key({ identifier: i, port: 1 }));
    expect(d.size).toBe(100);
  });

  it('holds at most maxEntries, evicting the oldest', async () => {
    const d = createDedupCache({ maxEntries: 3 });
    d.begin(key({ identifier: 0 }));
    const waiting = d.begin(key({ identifier: 0 }));
    for (let i = 1; i <= 3; i++) d.begin(key({ identifier: i }));
    expect(d.size).toBe(3);
    if (waiting.state !== 'in-flight') throw new Error('expected in-flight');
    expect(await waiting.wait).toBeNull();
    expect(d.begin(key({ identifier: 3 })).state).toBe('in-flight');
    expect(d.begin(key({ identifier: 0 }))).toEqual({ state: 'new' });
  });

  it('validates its options', () => {
    expect(() => createDedupCache({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => createDedupCache({ windowMs: 0 })).toThrow(RangeError);
  });
});
