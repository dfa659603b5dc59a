/**
 * Closes sessions whose NAS stopped reporting: no Interim-Update for twice
 * the interval granted plus a grace period (the NAS died, or its Stop was
 * lost). The session is closed in the durable store with a Stop built from
 * the last counters the NAS reported, then removed from the live set.
 */
import type { AccountingRecord } from '../controller/domain/entities.js';
import type { Clock } from '../controller/ports/clock.js';
import type { LiveSessionStore } from '../controller/ports/live-sessions.js';
import type { Logger } from '../controller/log.js';
import type { Metrics } from '../controller/metrics.js';
import type { Directory } from './directory.js';
import type { GroupCommit } from './process/group-commit.js';

export interface ReaperDeps {
  readonly live: LiveSessionStore;
  readonly commit: GroupCommit<AccountingRecord>;
  readonly directory: Directory;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Added to twice the interim interval. */
  readonly graceMs?: number;
  /** The shortest interim interval a tenant may set, in seconds (policy schema minimum). */
  readonly minIntervalSec?: number;
}

export const REAPED_CAUSE = 'Lost-Service';

export function createReaper(deps: ReaperDeps) {
  const grace = deps.graceMs ?? 60_000;
  const minInterval = deps.minIntervalSec ?? 60;
  return {
    /** One pass; returns how many sessions it closed. */
    async tick(): Promise<number> {
      const now = deps.clock.now().getTime();
      const candidates = await deps.live.stale(new Date(now - 2 * minInterval * 1000 - grace));
      let closed = 0;
      for (const s of candidates) {
        if (s.updatedAt.getTime() >= now - 2 * s.interimInterval * 1000 - grace) continue;
        const stop: AccountingRecord = {
          tenantId: s.tenantId,
          statusType: 'stop',
          acctSessionId: s.acctSessionId,
          nasIp: s.nasIp,
          // Null keeps the address the durable session already has (applyAccounting).
          nasAddress: 'nasAddress' in s && typeof s.nasAddress === 'string' ? s.nasAddress : null,
          nasIdentifier: null,
          username: s.username,
          identityId: s.identityId,
          callingStationId: s.callingStationId,
          calledStationId: null,
          apId: s.apId,
          framedIp: s.framedIp,
          sessionTime: s.sessionTime,
          inputOctets: s.inputOctets,
          outputOctets: s.outputOctets,
          terminateCause: REAPED_CAUSE,
          eventAt: s.updatedAt,
          receivedAt: new Date(now),
          natMappings: [],
        };
        await deps.commit.add(stop);
        await deps.live.stop(s);
        closed++;
        deps.metrics.radius.sessionsReaped.inc({ tenant: deps.directory.tenant(s.tenantId)?.slug ?? 'unknown' });
      }
      if (closed) deps.log.info({ closed }, 'closed sessions whose interim updates stopped');
      return closed;
    },
  };
}
