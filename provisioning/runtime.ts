/**
 * The provisioning part, assembled: services, the long-poll hub fed by the
 * config-change notifier, heartbeats flushed in batches, the registered and
 * online gauges. main.ts creates it, mounts its router and calls start and
 * stop; nothing here listens on a port.
 */
import type { AgentState, ProvisionedAp } from '../controller/ports/provisioning.js';
import { AccessPointService } from './access-points.js';
import { AgentService } from './agent.js';
import type { ProvisioningDeps } from './deps.js';
import { LongPollHub } from './long-poll.js';
import { Presence } from './presence.js';
import { Publisher } from './publisher.js';
import type { Liveness } from './views.js';
import { WriteLock } from './write-lock.js';

export class ProvisioningRuntime {
  readonly publisher: Publisher;
  readonly lock = new WriteLock();
  readonly accessPoints: AccessPointService;
  readonly hub = new LongPollHub();
  readonly presence: Presence;
  readonly agents: AgentService;
  private unsubscribe: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly deps: ProvisioningDeps) {
    this.publisher = new Publisher(deps);
    this.accessPoints = new AccessPointService(deps, this.publisher, this.lock);
    this.presence = new Presence(deps.provisioning.agents);
    this.agents = new AgentService(deps, this.hub, this.presence);
    this.publisher.onPublished = (versions) => this.agents.hold(versions);
    // Subscribed from the start: a router used without start() (tests) still wakes its polls.
    this.unsubscribe = deps.notifier.subscribe((changes) => this.hub.notify(changes));
  }

  liveness(apId: string, s: AgentState | null): Liveness {
    const stored = s?.lastSeenAt ?? null;
    const local = this.presence.lastSeen(apId);
    const lastSeenAt = stored && local ? (stored > local ? stored : local) : (stored ?? local);
    const online = lastSeenAt !== null && this.deps.clock.now().getTime() - lastSeenAt.getTime() <= this.deps.settings.onlineAfterSeconds * 1000;
    return { lastSeenAt, online };
  }

  /**
   * Re-renders every AP from the current settings and publishes what
   * changed: after an upgrade of the renderers, or settings changed by the
   * CLI (a RADIUS client added, the federation renamed).
   */
  async reconcile(): Promise<{ published: number; problems: number }> {
    let published = 0;
    let problems = 0;
    for (const t of await this.deps.stores.tenants.list()) {
      const r = await this.accessPoints.republish(t, null, 'system', 'reconcile');
      published += r.published.length;
      problems += r.problems.length;
    }
    return { published, problems };
  }

  async refreshGauges(): Promise<void> {
    const since = new Date(this.deps.clock.now().getTime() - this.deps.settings.onlineAfterSeconds * 1000);
    const [counts, tenants] = await Promise.all([this.deps.provisioning.agents.counts(since), this.deps.stores.tenants.list()]);
    const slug = new Map(tenants.map((t) => [t.id, t.slug]));
    const m = this.deps.metrics.provisioning;
    m.accessPoints.reset();
    m.online.reset();
    for (const c of counts) {
      m.accessPoints.set({ tenant: slug.get(c.tenantId) ?? 'unknown' }, c.registered);
      m.online.set({ tenant: slug.get(c.tenantId) ?? 'unknown' }, c.online);
    }
  }

  async start(opts: { reconcile?: boolean } = {}): Promise<void> {
    // Without the subscription (Redis down at start) this node still serves its own agents:
    // other nodes' publishes reach them at their next poll. ioredis subscribes again on reconnection.
    await this.deps.notifier.ready().catch((err: unknown) => this.deps.log.warn({ err }, 'config-change notifications unavailable; agents on this node see other nodes\' publishes at their next poll'));
    if (opts.reconcile !== false) {
      const r = await this.reconcile();
      this.deps.log.info(r, 'provisioning: configurations reconciled with current settings');
    }
    await this.refreshGauges();
    this.timer = setInterval(() => {
      // Heartbeats first, so the gauges count them.
      this.presence
        .flush()
        .then(() => this.refreshGauges())
        .catch((err: unknown) => this.deps.log.warn({ err }, 'provisioning: heartbeat flush failed'));
    }, this.deps.settings.flushIntervalMs);
    this.timer.unref();
  }

  /** Answers every waiting poll (agents come back on this node or another) and writes the last heartbeats. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.hub.close();
    await this.presence.flush();
  }

  /** Aps with their state, for lists and exports. */
  async listWithState(tenantId: string): Promise<Array<{ p: ProvisionedAp; state: AgentState | null }>> {
    const [aps, states] = await Promise.all([this.deps.provisioning.registry.list(tenantId), this.deps.provisioning.agents.states(tenantId)]);
    const byId = new Map(states.map((s) => [s.apId, s]));
    return aps.map((p) => ({ p, state: byId.get(p.ap.id) ?? null }));
  }
}
