/**
 * A municipality's access policy. Durations in seconds, rates in bits per
 * second, volumes in bytes; null means "no limit".
 */
export interface Policy {
  readonly sessionTimeout: number;
  readonly idleTimeout: number;
  readonly dailyTimeQuota: number | null;
  readonly dailyDataQuota: number | null;
  readonly bandwidthUp: number | null;
  readonly bandwidthDown: number | null;
  readonly simultaneousUse: number;
  readonly interimInterval: number;
  /** What to do with a request from an access point nobody registered. */
  readonly unregisteredAp: 'accept' | 'reject';
}

export const DEFAULT_POLICY: Policy = Object.freeze({
  sessionTimeout: 4 * 3600,
  idleTimeout: 15 * 60,
  dailyTimeQuota: null,
  dailyDataQuota: null,
  bandwidthUp: 2_000_000,
  bandwidthDown: 10_000_000,
  simultaneousUse: 2,
  interimInterval: 600,
  unregisteredAp: 'accept',
});

export interface UsageToday {
  readonly seconds: number;
  readonly bytes: number;
}

export type Grant =
  | { readonly ok: true; readonly sessionTimeout: number; readonly dataLimit: number | null }
  | { readonly ok: false; readonly reason: 'time-quota-exhausted' | 'data-quota-exhausted' };

/**
 * What a new session may use: the session timeout shortened to what is left
 * of the daily time quota, and the data left of the daily volume quota.
 */
export function grantFor(policy: Policy, used: UsageToday): Grant {
  let sessionTimeout = policy.sessionTimeout;
  if (policy.dailyTimeQuota !== null) {
    const left = policy.dailyTimeQuota - used.seconds;
    if (left <= 0) return { ok: false, reason: 'time-quota-exhausted' };
    sessionTimeout = Math.min(sessionTimeout, left);
  }
  let dataLimit: number | null = null;
  if (policy.dailyDataQuota !== null) {
    const left = policy.dailyDataQuota - used.bytes;
    if (left <= 0) return { ok: false, reason: 'data-quota-exhausted' };
    dataLimit = left;
  }
  return { ok: true, sessionTimeout, dataLimit };
}
