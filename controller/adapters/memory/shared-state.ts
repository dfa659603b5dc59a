/** One node's shared state, in process. */
import type { Clock } from '../../ports/clock.js';
import type { SharedState } from '../../ports/shared-state.js';
import { MemoryLiveSessionStore } from './live-sessions.js';
import { MemoryRateLimiter } from './rate-limit.js';

export interface MemorySharedStateOptions {
  readonly clock?: Clock;
  readonly maxRateLimitKeys?: number;
}

export function createMemorySharedState(opts: MemorySharedStateOptions = {}): SharedState {
  return {
    backend: 'memory',
    liveSessions: new MemoryLiveSessionStore({ clock: opts.clock }),
    rateLimits: new MemoryRateLimiter({ clock: opts.clock, maxKeys: opts.maxRateLimitKeys }),
    ping: async () => {},
    close: async () => {},
  };
}
