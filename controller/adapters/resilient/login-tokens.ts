/**
 * Login tokens fail closed while Redis is unreachable
 * (docs/adr/0009-redis-outage.md): a token is issued by the portal of one
 * node and used by the RADIUS server of whichever node the gateway asks,
 * so a token kept in one node's memory would work or not by chance, and a
 * token consumed locally could be consumed again on another node once
 * Redis is back. Every call fails at once with RedisUnavailableError
 * instead of waiting: the portal shows its error page, a token login by
 * RADIUS is dropped (the NAS retries, or the citizen logs in again).
 */
import type { LoginTokenStore } from '../../ports/login-tokens.js';
import type { RedisLink } from './redis-link.js';

export function failFastLoginTokens(link: RedisLink, inner: LoginTokenStore): LoginTokenStore {
  const guarded = <T>(fn: () => Promise<T>): Promise<T> => (link.up ? link.call(fn) : Promise.reject(link.unavailable()));
  return {
    issue: (t) => guarded(() => inner.issue(t)),
    pending: (identityId, mac) => guarded(() => inner.pending(identityId, mac)),
    peek: (secret) => guarded(() => inner.peek(secret)),
    consume: (secret) => guarded(() => inner.consume(secret)),
  };
}
