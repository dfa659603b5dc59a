/**
 * Assembles the RADIUS server from the controller's ports. Binds nothing:
 * the composition root binds the transports and starts the timers.
 */
import type { AccountingRecord } from '../controller/domain/entities.js';
import type { Clock } from '../controller/ports/clock.js';
import type { LiveSessionStore } from '../controller/ports/live-sessions.js';
import type { LoginTokenStore } from '../controller/ports/login-tokens.js';
import type { RateLimiter } from '../controller/ports/rate-limit.js';
import type { Stores } from '../controller/ports/stores.js';
import type { Logger } from '../controller/log.js';
import { children, type Metrics } from '../controller/metrics.js';
import type { PasswordHasher } from '../controller/security/passwords.js';
import { createPapVerifier, createVerifyCache } from './auth/verify-cache.js';
import { createDedupCache } from './dedup.js';
import { loadDirectory, type Directory, type PendingSecrets } from './directory.js';
import { createRadiusEngine, type RadiusEngine } from './engine.js';
import { createAccessProcessor, type AccessLimits } from './process/access.js';
import { createAccountingProcessor } from './process/accounting.js';
import { createGroupCommit, type GroupCommit } from './process/group-commit.js';
import { createReaper } from './reaper.js';
import { createUdpTransport, type UdpTransport } from './transport/udp.js';

export interface RadiusServerDeps {
  readonly stores: Stores;
  readonly live: LiveSessionStore;
  readonly limiter: RateLimiter;
  readonly tokens: LoginTokenStore;
  readonly hasher: PasswordHasher;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly clock: Clock;
  /** Secrets being rolled out to RADIUS clients (provisioning), valid beside their current one. */
  readonly pendingSecrets?: PendingSecrets;
  readonly options?: {
    readonly dedupWindowMs?: number;
    readonly acctBatchMax?: number;
    readonly directoryReloadMs?: number;
    readonly reaperIntervalMs?: number;
    readonly limits?: AccessLimits;
  };
}

export interface RadiusServer {
  readonly engine: RadiusEngine;
  readonly directory: Directory;
  readonly auth: UdpTransport;
  readonly acct: UdpTransport;
  readonly accounting: GroupCommit<AccountingRecord>;
  readonly reaper: ReturnType<typeof createReaper>;
  /** Starts the directory reload, reaper and gauge timers. */
  startTimers(): void;
  /** Stops receiving, answers what is in flight, flushes accounting. */
  stop(): Promise<void>;
}

export async function createRadiusServer(deps: RadiusServerDeps): Promise<RadiusServer> {
  const o = deps.options ?? {};
  const directory = await loadDirectory(deps.stores, deps.pendingSecrets);
  const octets = children(deps.metrics.sessions.octets);
  const accounting = createGroupCommit<AccountingRecord>(async (batch) => {
    const outcome = await deps.stores.accounting.record(batch);
    // Counted once durable, from the store's merge: a retransmission or a counter that went back adds nothing.
    for (const [tenantId, o] of outcome.octets) {
      const slug = directory.tenant(tenantId)?.slug ?? 'unknown';
      if (o.input > 0) octets(slug, 'in').inc(o.input);
      if (o.output > 0) octets(slug, 'out').inc(o.output);
    }
  }, o.acctBatchMax ?? 256);
  const verifier = createPapVerifier({ hasher: deps.hasher, cache: createVerifyCache() });
  const engine = createRadiusEngine({
    directory,
    dedup: createDedupCache({ windowMs: o.dedupWindowMs ?? 30_000 }),
    access: createAccessProcessor({ ...deps, directory, verifier, limits: o.limits }),
    accounting: createAccountingProcessor({ ...deps, directory, commit: accounting }),
    metrics: deps.metrics,
    log: deps.log,
  });
  const reaper = createReaper({ live: deps.live, commit: accounting, directory, clock: deps.clock, metrics: deps.metrics, log: deps.log });
  const timers: NodeJS.Timeout[] = [];
  const auth = createUdpTransport(engine, 'auth', deps.log);
  const acct = createUdpTransport(engine, 'acct', deps.log);

  const every = (ms: number, what: string, fn: () => Promise<unknown>) => {
    const t = setInterval(() => fn().catch((err: unknown) => deps.log.warn({ err }, `${what} failed`)), ms);
    t.unref();
    timers.push(t);
  };

  return {
    engine,
    directory,
    auth,
    acct,
    accounting,
    reaper,
    startTimers() {
      every(o.directoryReloadMs ?? 5_000, 'RADIUS client reload', () => directory.reload());
      every(o.reaperIntervalMs ?? 30_000, 'session reaper', () => reaper.tick());
      every(15_000, 'active-session gauge', async () => {
        const counts = await deps.live.countByTenant();
        deps.metrics.radius.activeSessions.reset();
        for (const [tenantId, n] of counts) deps.metrics.radius.activeSessions.set({ tenant: directory.tenant(tenantId)?.slug ?? 'unknown' }, n);
        deps.metrics.radius.verifyQueue.set(deps.hasher.queued);
      });
    },
    async stop() {
      timers.forEach(clearInterval);
      await Promise.all([auth.close(), acct.close()]);
      await accounting.drain();
    },
  };
}
