/**
 * A short-lived memory of successful password verifications, so a gateway
 * that re-sends PAP logins (re-authentication, a citizen reconnecting) does
 * not cost an argon2id verification each time.
 *
 * What is kept is HMAC-SHA256(k, identityId || 0x00 || password) with k
 * random per process and held only in this closure (never a property, never
 * logged): the cache never holds the password or anything that can be
 * tested against a guess outside this process.
 *
 * A hit counts only when the identity's updatedAt still equals the one
 * remembered: the store moves updatedAt on every change (IdentityStore.update),
 * so a new password or a disabled account invalidates at once.
 * Failures are never remembered: a wrong password always pays the argon2id
 * price, so timing reveals nothing an attacker does not already know.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Identity } from '../../controller/domain/entities.js';
import type { PasswordHasher } from '../../controller/security/passwords.js';

export interface VerifyCacheOptions {
  /** Default 10 minutes. */
  readonly ttlMs?: number;
  /** Default 10 000 entries (~1.5 MB). */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

export interface VerifyCache {
  /** True when this identity, as it is now, was verified with this password within the ttl. */
  check(identity: Identity, password: string): boolean;
  /** Call only after a successful verification. */
  remember(identity: Identity, password: string): void;
  readonly size: number;
}

interface Entry {
  readonly identityUpdatedAt: number;
  readonly expiresAt: number;
}

export function createVerifyCache(opts: VerifyCacheOptions = {}): VerifyCache {
  const ttlMs = opts.ttlMs ?? 10 * 60_000;
  const maxEntries = opts.maxEntries ?? 10_000;
  const now = opts.now ?? Date.now;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  const hmacKey = randomBytes(32);
  const entries = new Map<string, Entry>();

  const keyOf = (identity: Identity, password: string): string =>
    createHmac('sha256', hmacKey).update(identity.id).update('\0').update(password, 'utf8').digest('base64');

  return {
    check(identity, password) {
      const k = keyOf(identity, password);
      const e = entries.get(k);
      if (!e) return false;
      if (e.expiresAt <= now() || e.identityUpdatedAt !== identity.updatedAt.getTime()) {
        entries.delete(k);
        return false;
      }
      // Least recently used goes first: move a hit to the back.
      entries.delete(k);
      entries.set(k, e);
      return true;
    },
    remember(identity, password) {
      const k = keyOf(identity, password);
      const t = now();
      entries.delete(k);
      // Expired entries at the front go first, two per call; then the least recently used.
      let n = 0;
      for (const [old, e] of entries) {
        if (n++ === 2 || e.expiresAt > t) break;
        entries.delete(old);
      }
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(k, { identityUpdatedAt: identity.updatedAt.getTime(), expiresAt: t + ttlMs });
    },
    get size() {
      return entries.size;
    },
  };
}

export interface PapVerifier {
  /** RFC 2865 §5.2 User-Password, once decoded: is it this identity's password? */
  verify(identity: Identity, password: string): Promise<boolean>;
}

export function createPapVerifier(deps: { hasher: Pick<PasswordHasher, 'verify'>; cache: VerifyCache }): PapVerifier {
  return {
    async verify(identity, password) {
      if (deps.cache.check(identity, password)) return true;
      const ok = await deps.hasher.verify(identity.passwordHash, password);
      if (ok) deps.cache.remember(identity, password);
      return ok;
    },
  };
}
