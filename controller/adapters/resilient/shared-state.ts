/**
 * Shared state in Redis that keeps the node answering while Redis is away
 * (docs/adr/0009-redis-outage.md). Wraps the Redis adapters: while the
 * connection is ready every call goes to Redis, bounded in time; while it
 * is not, live sessions and rate limits are answered from this node's
 * memory (degraded, counted in wfc_shared_state_degraded_total), login
 * tokens and verification codes fail at once, and `ping` fails so /readyz
 * reports the node not ready. When Redis answers again, what was written
 * locally is handed back and Redis serves again.
 *
 * The connection should fail fast by itself too: open it with
 * `failFastRedisOptions`, so no command waits for a reconnection in
 * ioredis' queue or runs late after one.
 */
import type { Redis, RedisOptions } from 'ioredis';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../log.js';
import type { Metrics } from '../../metrics.js';
import type { LoginTokenStore } from '../../ports/login-tokens.js';
import type { SharedState } from '../../ports/shared-state.js';
import type { VerificationCodeStore } from '../../ports/verification-codes.js';
import { createMemorySharedState } from '../memory/shared-state.js';
import { ResilientLiveSessionStore } from './live-sessions.js';
import { failFastLoginTokens } from './login-tokens.js';
import { ResilientRateLimiter } from './rate-limit.js';
import { RedisLink } from './redis-link.js';
import { failFastVerificationCodes } from './verification-codes.js';

export { RedisUnavailableError } from './redis-link.js';

/**
 * ioredis options for a connection that never makes a caller wait for
 * Redis: a command fails at once while the connection is not ready (no
 * offline queue) and after `timeoutMs` when Redis hangs; a command that
 * failed is not sent again on reconnection (its caller was already
 * answered from local state); reconnection is attempted every 50 ms growing
 * to 2 s (ioredis' default strategy), each attempt giving up after 3 s.
 */
export function failFastRedisOptions(timeoutMs = 500): RedisOptions {
  return {
    enableOfflineQueue: false,
    commandTimeout: timeoutMs,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
  };
}

export interface ResilientSharedStateOptions {
  /** The connection `redis` runs on: its events say when Redis comes and goes. */
  readonly connection: Redis;
  /** The Redis shared state (createRedisSharedState on `connection`). */
  readonly redis: SharedState;
  /** A fresh in-process shared state for an outage; default createMemorySharedState({ clock }). */
  readonly local?: () => SharedState;
  readonly clock?: Clock;
  readonly metrics?: Pick<Metrics['stores'], 'redisUp' | 'redisReconnects' | 'degradedOps'>;
  readonly log?: Logger;
  /** Bound on every call to Redis, in ms (default 500). */
  readonly timeoutMs?: number;
  /** PING interval while Redis is considered down but the connection looks open (default 1000 ms). */
  readonly probeIntervalMs?: number;
  /** Local live-session writes kept for the hand-back, at most (default 200,000). */
  readonly maxJournal?: number;
}

export interface ResilientSharedState extends SharedState {
  readonly backend: 'redis';
  readonly link: RedisLink;
  readonly liveSessions: ResilientLiveSessionStore;
  /** The login-token store on the same connection, failing fast while Redis is away. */
  loginTokens(inner: LoginTokenStore): LoginTokenStore;
  /** The verification-code store on the same connection, failing fast while Redis is away. */
  verificationCodes(inner: VerificationCodeStore): VerificationCodeStore;
}

export function createResilientSharedState(opts: ResilientSharedStateOptions): ResilientSharedState {
  const local = opts.local ?? (() => createMemorySharedState({ clock: opts.clock }));
  const link = new RedisLink({ connection: opts.connection, timeoutMs: opts.timeoutMs, probeIntervalMs: opts.probeIntervalMs, metrics: opts.metrics, log: opts.log });
  const liveSessions = new ResilientLiveSessionStore({
    link,
    redis: opts.redis.liveSessions,
    local: () => local().liveSessions,
    metrics: opts.metrics,
    log: opts.log,
    maxJournal: opts.maxJournal,
  });
  const rateLimits = new ResilientRateLimiter({ link, redis: opts.redis.rateLimits, local: () => local().rateLimits, metrics: opts.metrics });
  return {
    backend: 'redis',
    link,
    liveSessions,
    rateLimits,
    loginTokens: (inner) => failFastLoginTokens(link, inner),
    verificationCodes: (inner) => failFastVerificationCodes(link, inner),
    ping: () => link.ping(),
    async close() {
      link.close();
      await opts.redis.close();
    },
  };
}
