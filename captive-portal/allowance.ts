/**
 * What is left of a citizen's connection: seconds and bytes, from the live
 * session (what the gateway last reported in accounting) and the policy of
 * the municipality whose hotspot carries it. Shown on the status page and
 * in the RFC 8908 API.
 */
import type { Tenant } from '../controller/domain/entities.js';
import type { LiveSession } from '../controller/ports/live-sessions.js';
import type { Stores } from '../controller/ports/stores.js';
import { startOfLocalDay } from '../controller/domain/day.js';

export interface Allowance {
  readonly secondsRemaining: number;
  /** null: no volume limit. */
  readonly bytesRemaining: number | null;
}

export async function allowanceFor(stores: Stores, tenant: Tenant, s: LiveSession, now: Date): Promise<Allowance> {
  const p = tenant.policy;
  const elapsed = Math.max(s.sessionTime, Math.floor((now.getTime() - s.startedAt.getTime()) / 1000));
  let seconds = p.sessionTimeout - elapsed;
  let bytes: number | null = null;
  if (s.identityId && (p.dailyTimeQuota !== null || p.dailyDataQuota !== null)) {
    const used = await stores.sessions.usageSince(s.identityId, startOfLocalDay(now));
    // The durable log may lag the live session by one interim: count at least what the live one reports.
    const usedSeconds = Math.max(used.seconds, elapsed);
    const usedBytes = Math.max(used.bytes, s.inputOctets + s.outputOctets);
    if (p.dailyTimeQuota !== null) seconds = Math.min(seconds, p.dailyTimeQuota - usedSeconds);
    if (p.dailyDataQuota !== null) bytes = Math.max(0, p.dailyDataQuota - usedBytes);
  }
  return { secondsRemaining: Math.max(0, seconds), bytesRemaining: bytes };
}
