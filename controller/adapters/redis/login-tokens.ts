import type { Redis } from 'ioredis';
import type { Mac } from '../../domain/mac.js';
import type { LoginToken, LoginTokenStore } from '../../ports/login-tokens.js';

interface Stored {
  readonly secret: string;
  readonly identityId: string;
  readonly tenantId: string;
  readonly mac: Mac;
  readonly expiresAt: number;
}

const revive = (json: string | null): LoginToken | null => {
  if (!json) return null;
  const s = JSON.parse(json) as Stored;
  return s.expiresAt > Date.now() ? { ...s, expiresAt: new Date(s.expiresAt) } : null;
};

/**
 * Login tokens shared by every node: `tok:<secret>` holds the token,
 * `tokdev:<identity>|<mac>` the device's pending secret, both expiring with
 * the token. GETDEL makes consumption atomic across nodes (Redis >= 6.2).
 */
export function createRedisLoginTokens(redis: Redis, prefix: string): LoginTokenStore {
  const tokKey = (secret: string) => `${prefix}tok:${secret}`;
  const devKey = (identityId: string, mac: string) => `${prefix}tokdev:${identityId}|${mac}`;
  return {
    async issue(t) {
      const ttl = Math.max(1, t.expiresAt.getTime() - Date.now());
      const stored: Stored = { ...t, expiresAt: t.expiresAt.getTime() };
      const previous = await redis.get(devKey(t.identityId, t.mac));
      const m = redis.multi();
      if (previous) m.del(tokKey(previous));
      m.set(tokKey(t.secret), JSON.stringify(stored), 'PX', ttl);
      m.set(devKey(t.identityId, t.mac), t.secret, 'PX', ttl);
      await m.exec();
    },
    async pending(identityId, mac) {
      const secret = await redis.get(devKey(identityId, mac));
      return secret ? revive(await redis.get(tokKey(secret))) : null;
    },
    async peek(secret) {
      return revive(await redis.get(tokKey(secret)));
    },
    async consume(secret) {
      return revive(await redis.getdel(tokKey(secret)));
    },
  };
}
