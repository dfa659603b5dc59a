/**
 * A rate limiter that survives a Redis outage (docs/adr/0009-redis-outage.md).
 * While the link is down every hit, peek and reset is answered from this
 * node's memory: each node still counts and locks out on its own, so a
 * guesser spread over n nodes gets at most n times the budget for as long
 * as the outage lasts. That is the safe side of degraded: refusing every
 * login would hand an attacker who can stop Redis a way to stop Wi-Fi.
 * When Redis is back the local counters are dropped and Redis's, which
 * kept counting until the outage, apply again.
 */
import type { Metrics } from '../../metrics.js';
import type { RateLimiter, RateLimitOptions, RateLimitResult } from '../../ports/rate-limit.js';
import type { LocalState, RedisLink } from './redis-link.js';

export interface ResilientRateLimiterOptions {
  readonly link: RedisLink;
  readonly redis: RateLimiter;
  /** A fresh, empty local limiter; called again each time local state is dropped. */
  readonly local: () => RateLimiter;
  readonly metrics?: Pick<Metrics['stores'], 'degradedOps'>;
}

export class ResilientRateLimiter implements RateLimiter, LocalState {
  private readonly link: RedisLink;
  private readonly redis: RateLimiter;
  private readonly makeLocal: () => RateLimiter;
  private localLimiter: RateLimiter;
  private readonly metrics: ResilientRateLimiterOptions['metrics'];

  constructor(opts: ResilientRateLimiterOptions) {
    this.link = opts.link;
    this.redis = opts.redis;
    this.makeLocal = opts.local;
    this.localLimiter = opts.local();
    this.metrics = opts.metrics;
    this.link.attach(this);
  }

  hit(key: string, opts: RateLimitOptions): Promise<RateLimitResult> {
    return this.run('hit', (rl) => rl.hit(key, opts));
  }

  peek(key: string, opts: RateLimitOptions): Promise<RateLimitResult> {
    return this.run('peek', (rl) => rl.peek(key, opts));
  }

  reset(key: string): Promise<void> {
    return this.run('reset', (rl) => rl.reset(key));
  }

  /** Nothing to write back: counts made during the outage stay with this node. */
  async handBack(): Promise<void> {}

  handedBack(): boolean {
    return true;
  }

  drop(): void {
    this.localLimiter = this.makeLocal();
  }

  private async run<T>(operation: string, fn: (rl: RateLimiter) => Promise<T>): Promise<T> {
    if (this.link.up) {
      try {
        return await this.link.call(() => fn(this.redis));
      } catch (e) {
        if (this.link.up) throw e; // a fault Redis reported, not an outage
      }
    }
    this.metrics?.degradedOps.inc({ port: 'rate-limits', operation });
    return fn(this.localLimiter);
  }
}
