import type { Mac } from '../../domain/mac.js';
import type { LoginToken, LoginTokenStore } from '../../ports/login-tokens.js';

/** One node's login tokens: two Maps, expired entries dropped on access and by a bounded sweep. */
export function createMemoryLoginTokens(opts: { now?: () => number; maxEntries?: number } = {}): LoginTokenStore {
  const now = opts.now ?? Date.now;
  const maxEntries = opts.maxEntries ?? 100_000;
  const bySecret = new Map<string, LoginToken>();
  const pendingKey = (identityId: string, mac: Mac) => `${identityId}|${mac}`;
  const byDevice = new Map<string, string>();

  const live = (t: LoginToken | undefined): LoginToken | null => (t && t.expiresAt.getTime() > now() ? t : null);
  const remove = (t: LoginToken) => {
    bySecret.delete(t.secret);
    if (byDevice.get(pendingKey(t.identityId, t.mac)) === t.secret) byDevice.delete(pendingKey(t.identityId, t.mac));
  };
  const sweep = () => {
    let n = 0;
    for (const t of bySecret.values()) {
      if (n++ > 4) break;
      if (!live(t) || bySecret.size > maxEntries) remove(t);
    }
  };

  return {
    async issue(t) {
      sweep();
      const previous = byDevice.get(pendingKey(t.identityId, t.mac));
      if (previous) bySecret.delete(previous);
      bySecret.set(t.secret, t);
      byDevice.set(pendingKey(t.identityId, t.mac), t.secret);
    },
    async pending(identityId, mac) {
      const secret = byDevice.get(pendingKey(identityId, mac));
      return secret ? live(bySecret.get(secret)) : null;
    },
    async peek(secret) {
      return live(bySecret.get(secret));
    },
    async consume(secret) {
      const t = live(bySecret.get(secret));
      if (t) remove(t);
      return t;
    },
  };
}
