import { describe, expect, it, vi } from 'vitest';
import type { Identity } from '../../../controller/domain/entities.js';
import { createPapVerifier, createVerifyCache } from '../../../radius-server/auth/verify-cache.js';

function identity(over: Partial<Identity> = {}): Identity {
  return {
    id: 'id-alice',
    username: 'alice',
    email: null,
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g',
    verified: true,
    verifiedAt: new Date(0),
    locale: 'fr',
    disabled: false,
    passwordChangedAt: new Date(0),
    createdAt: new Date(0),
    updatedAt: new Date(1_000),
    lastSeenAt: null,
    inactivityNoticeAt: null,
    ...over,
  };
}

function clock(): { now: () => number; advance(ms: number): void } {
  let t = 5_000_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** A hasher stub: "correct" is the only right password; counts its calls. */
function stubHasher() {
  return { verify: vi.fn(async (_hash: string, password: string) => password === 'correct') };
}

describe('createVerifyCache', () => {
  it('hits for the remembered identity and password only', () => {
    const cache = createVerifyCache();
    cache.remember(identity(), 'correct');
    expect(cache.check(identity(), 'correct')).toBe(true);
    expect(cache.check(identity(), 'Correct')).toBe(false);
    expect(cache.check(identity({ id: 'id-bob' }), 'correct')).toBe(false);
  });

  it('keys on identity and password without ambiguity (the 0x00 separator)', () => {
    const cache = createVerifyCache();
    cache.remember(identity({ id: 'ab' }), 'c');
    expect(cache.check(identity({ id: 'a' }), 'bc')).toBe(false);
  });

  it('misses once the identity changed (new password, disabled: updatedAt moved)', () => {
    const cache = createVerifyCache();
    cache.remember(identity(), 'correct');
    expect(cache.check(identity({ updatedAt: new Date(2_000), disabled: true }), 'correct')).toBe(false);
    // The stale entry is gone, even for the old snapshot.
    expect(cache.check(identity(), 'correct')).toBe(false);
  });

  it('forgets after the ttl', () => {
    const c = clock();
    const cache = createVerifyCache({ ttlMs: 10 * 60_000, now: c.now });
    cache.remember(identity(), 'correct');
    c.advance(10 * 60_000 - 1);
    expect(cache.check(identity(), 'correct')).toBe(true);
    c.advance(1);
    expect(cache.check(identity(), 'correct')).toBe(false);
  });

  it('holds at most maxEntries, least recently used out first', () => {
    const cache = createVerifyCache({ maxEntries: 2 });
    cache.remember(identity({ id: 'a' }), 'p');
    cache.remember(identity({ id: 'b' }), 'p');
    expect(cache.check(identity({ id: 'a' }), 'p')).toBe(true); // a is now the most recent
    cache.remember(identity({ id: 'c' }), 'p');
    expect(cache.size).toBe(2);
    expect(cache.check(identity({ id: 'b' }), 'p')).toBe(false);
    expect(cache.check(identity({ id: 'a' }), 'p')).toBe(true);
    expect(cache.check(identity({ id: 'c' }), 'p')).toBe(true);
  });

  it('never holds the password, in clear or as a plain hash', () => {
    const cache = createVerifyCache();
    const secret = 'hunter2-very-secret';
    cache.remember(identity(), secret);
    const dump = JSON.stringify(cache) + String(Object.values(cache));
    expect(dump).not.toContain(secret);
    expect(Object.keys(cache)).not.toContain('key');
  });
});

describe('createPapVerifier', () => {
  it('verifies with argon2 once, then answers from the cache', async () => {
    const hasher = stubHasher();
    const pap = createPapVerifier({ hasher, cache: createVerifyCache() });
    expect(await pap.verify(identity(), 'correct')).toBe(true);
    expect(await pap.verify(identity(), 'correct')).toBe(true);
    expect(await pap.verify(identity(), 'correct')).toBe(true);
    expect(hasher.verify).toHaveBeenCalledTimes(1);
  });

  it('never caches a failure: each wrong password pays the full verification', async () => {
    const hasher = stubHasher();
    const cache = createVerifyCache();
    const pap = createPapVerifier({ hasher, cache });
    expect(await pap.verify(identity(), 'wrong')).toBe(false);
    expect(await pap.verify(identity(), 'wrong')).toBe(false);
    expect(hasher.verify).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(0);
  });

  it('re-verifies after the identity changed', async () => {
    const hasher = stubHasher();
    const pap = createPapVerifier({ hasher, cache: createVerifyCache() });
    await pap.verify(identity(), 'correct');
    expect(await pap.verify(identity({ updatedAt: new Date(9_999), passwordHash: '$argon2id$new' }), 'correct')).toBe(true);
    expect(hasher.verify).toHaveBeenCalledTimes(2);
    expect(hasher.verify).toHaveBeenLastCalledWith('$argon2id$new', 'correct');
  });
});
