/**
 * Verification codes fail closed while Redis is unreachable
 * (docs/adr/0009-redis-outage.md): a code e-mailed by one node may be typed
 * into another, and the cooldown, daily cap and wrong-guess budget only
 * hold if every node counts in one place. Every call fails at once with
 * RedisUnavailableError instead of waiting; the portal shows its error
 * page and the citizen tries again later.
 */
import type { VerificationCodeStore } from '../../ports/verification-codes.js';
import type { RedisLink } from './redis-link.js';

export function failFastVerificationCodes(link: RedisLink, inner: VerificationCodeStore): VerificationCodeStore {
  const guarded = <T>(fn: () => Promise<T>): Promise<T> => (link.up ? link.call(fn) : Promise.reject(link.unavailable()));
  return {
    issue: (r) => guarded(() => inner.issue(r)),
    check: (r) => guarded(() => inner.check(r)),
    revoke: (purpose, subject) => guarded(() => inner.revoke(purpose, subject)),
  };
}
