/**
 * Short-lived state shared by every node: in-process for one node, Redis
 * for many (see ARCHITECTURE.md "One node and many"). Losing it loses no
 * acknowledged record: the durable stores hold those.
 */
import type { LiveSessionStore } from './live-sessions.js';
import type { RateLimiter } from './rate-limit.js';

export interface SharedState {
  readonly backend: 'memory' | 'redis';
  readonly liveSessions: LiveSessionStore;
  readonly rateLimits: RateLimiter;
  /** Cheap round trip for readiness probes. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
