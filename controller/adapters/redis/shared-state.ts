/** Shared state for many nodes, in Redis. */
import { Redis } from 'ioredis';
import type { Clock } from '../../ports/clock.js';
import type { SharedState } from '../../ports/shared-state.js';
import { RedisLiveSessionStore } from './live-sessions.js';
import { RedisRateLimiter } from './rate-limit.js';

export interface RedisSharedStateOptions {
  /** Connect to this URL (and close the connection in close())... */
  readonly url?: string;
  /** ...or use this connection, which the caller keeps owning. */
  readonly redis?: Redis;
  /** Key prefix, default `wfc:`; a hash tag such as `{wfc}:` on Redis Cluster. */
  readonly prefix?: string;
  readonly clock?: Clock;
}

export function createRedisSharedState(opts: RedisSharedStateOptions): SharedState {
  if (!opts.redis && !opts.url) throw new TypeError('createRedisSharedState needs a url or a connection');
  const owned = !opts.redis;
  // Fail a command after one reconnect attempt rather than queueing it for
  // ever: the RADIUS hot path must answer or drop within the NAS's timeout.
  const redis = opts.redis ?? new Redis(opts.url!, { maxRetriesPerRequest: 1, enableAutoPipelining: true });
  const common = { redis, prefix: opts.prefix, clock: opts.clock };
  return {
    backend: 'redis',
    liveSessions: new RedisLiveSessionStore(common),
    rateLimits: new RedisRateLimiter(common),
    ping: async () => {
      await redis.ping();
    },
    close: async () => {
      if (owned) await redis.quit();
    },
  };
}
