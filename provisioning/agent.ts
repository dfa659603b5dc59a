/**
 * The agent's side of the API: enrolment, the configuration poll (ETag /
 * If-None-Match, long-poll with `?wait=`), applied/error reports and
 * heartbeats (OpenWISP's openwisp-config loop, through NAT: the device
 * always calls, the controller answers as soon as there is something new).
 *
 * Lost reports are recovered from the poll itself, so a status never sticks
 * at "pending": If-None-Match lists first the checksum the device runs, then
 * any it tried and rolled back. Running the current version means it was
 * applied; holding it only as a failed one means it failed.
 */
import type { Tenant } from '../controller/domain/entities.js';
import { AppError, E, validationError } from '../controller/errors.js';
import type { ConfigChange } from '../controller/ports/config-notifications.js';
import type { ConfigVersion, ConfigVersionSummary } from '../controller/ports/provisioning.js';
import { newToken, tokenDigest } from '../controller/security/tokens.js';
import type { IssuedCertificate } from './ca.js';
import type { ProvisioningDeps } from './deps.js';
import type { LongPollHub } from './long-poll.js';
import type { Presence } from './presence.js';
import { enrolSchema, heartbeatSchema, parseBody, reportSchema } from './schemas.js';

export const DEVICE_KEY_PREFIX = 'wfca';

export interface DeviceCaller {
  readonly tenantId: string;
  readonly apId: string;
}

export type PollResult =
  | { readonly kind: 'changed'; readonly version: ConfigVersion }
  | { readonly kind: 'not-modified'; readonly version: ConfigVersionSummary }
  | { readonly kind: 'no-config' }
  | { readonly kind: 'closed' };

const REASON_TEXT = { unknown: 'unknown', used: 'already used', expired: 'expired' } as const;

/** RFC 9110 §13.1.2: a list of entity tags, weak or strong; `*` matches any. */
export function parseIfNoneMatch(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1'))
    .filter((t) => t.length > 0);
}

export class AgentService {
  /** Versions this node knows are recorded applied, so a 304 poll costs one read, not two. */
  private readonly recordedApplied = new Map<string, number>();
  /**
   * Versions this node has just published, by AP, kept a few seconds: the
   * agents it wakes are answered from memory. Other nodes read the store.
   */
  private readonly recent = new Map<string, ConfigVersion>();
  private recentTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: ProvisioningDeps,
    private readonly hub: LongPollHub,
    private readonly presence: Presence,
  ) {}

  /** Keeps just-published versions for the polls they wake (replacing the previous batch after `ms`). */
  hold(versions: readonly ConfigVersion[], ms = 10_000): void {
    for (const v of versions) this.recent.set(v.apId, v);
    if (this.recentTimer) clearTimeout(this.recentTimer);
    this.recentTimer = setTimeout(() => this.recent.clear(), ms);
    this.recentTimer.unref();
  }

  async authenticate(key: string): Promise<DeviceCaller | null> {
    if (!key.startsWith(`${DEVICE_KEY_PREFIX}_`)) return null;
    const c = await this.deps.provisioning.credentials.findByKeyHash(tokenDigest(key));
    return c ? { tenantId: c.tenantId, apId: c.apId } : null;
  }

  async enrol(body: unknown): Promise<{
    apId: string;
    mac: string;
    municipality: string;
    apiKey: string;
    certificate: IssuedCertificate | null;
    caCertificate: string | null;
  }> {
    const v = parseBody(enrolSchema, body);
    const now = this.deps.clock.now();
    const hash = tokenDigest(v.token);
    const fail = (reason: 'unknown' | 'used' | 'expired' | 'bad-csr'): never => {
      this.deps.metrics.provisioning.enrolmentFailures.inc({ reason });
      throw new AppError(E.ENROLMENT_INVALID, { reason: reason === 'bad-csr' ? 'refused' : REASON_TEXT[reason] });
    };
    const e = await this.deps.provisioning.enrolments.find(hash);
    if (!e) return fail('unknown');
    if (e.usedAt) return fail('used');
    if (e.expiresAt.getTime() <= now.getTime()) return fail('expired');
    const [tenant, p] = await Promise.all([this.deps.stores.tenants.get(e.tenantId), this.deps.provisioning.registry.get(e.tenantId, e.apId)]);
    if (!tenant || !p) return fail('unknown');
    let cert: IssuedCertificate | null = null;
    if (v.csr !== undefined || v.generateKey) {
      const ca = this.deps.ca;
      if (!ca) throw validationError([{ field: v.csr !== undefined ? 'csr' : 'generateKey', message: 'this controller issues no client certificates' }]);
      const subject = { commonName: p.ap.mac, organizationalUnit: tenant.slug };
      if (v.csr !== undefined) {
        const r = ca.signCsr(v.csr, subject, now);
        if (!r.ok) {
          this.deps.metrics.provisioning.enrolmentFailures.inc({ reason: 'bad-csr' });
          throw validationError([{ field: 'csr', message: r.reason }]);
        }
        cert = r.cert;
      } else cert = ca.issueWithKey(subject, now);
    }
    const apiKey = newToken(DEVICE_KEY_PREFIX);
    const r = await this.deps.provisioning.enrolments.redeem({
      tokenHash: hash,
      now,
      credential: { keyHash: tokenDigest(apiKey), certificateSerial: cert?.serial ?? null, certificateNotAfter: cert?.notAfter ?? null, certificatePem: cert?.certificatePem ?? null },
    });
    // Two enrolments racing with one token: the store let exactly one through.
    if (!r.ok) return fail(r.reason);
    this.recordedApplied.delete(e.apId);
    this.deps.log.info({ ap: e.apId, tenant: tenant.slug, certificate: cert?.serial ?? null }, 'access point enrolled');
    return { apId: e.apId, mac: p.ap.mac, municipality: tenant.slug, apiKey, certificate: cert, caCertificate: cert ? this.deps.ca!.certificatePem : null };
  }

  /**
   * Answers at once when the device lacks the current version; otherwise
   * waits up to `waitMs` for a publish. `onClose` registers the client's
   * disconnection, which ends the wait without an answer.
   */
  async poll(d: DeviceCaller, tags: readonly string[], waitMs: number, onClose: (cb: () => void) => void): Promise<PollResult> {
    const { versions } = this.deps.provisioning;
    this.presence.touch(d.apId, this.deps.clock.now());
    // Register before reading: a publish in between still wakes this poll.
    const w = waitMs > 0 ? this.hub.wait(d.apId, waitMs) : null;
    if (w) {
      onClose(() => w.cancel());
      this.deps.metrics.provisioning.longPolls.set(this.hub.size);
    }
    // The bundle is read only when it is sent: an unchanged poll reads the head alone.
    const changed = async (): Promise<PollResult | null> => {
      const full = await versions.current(d.tenantId, d.apId);
      return full ? this.answer({ kind: 'changed', version: full }) : null;
    };
    const fresh = async (woke: ConfigChange): Promise<PollResult | null> => {
      // The node that published still holds the version: no read at all.
      const held = this.recent.get(d.apId);
      if (held && held.version === woke.version && held.tenantId === d.tenantId) return this.answer({ kind: 'changed', version: held });
      const full = await versions.current(d.tenantId, d.apId);
      return full && full.version >= woke.version && !tags.includes(full.checksum) ? this.answer({ kind: 'changed', version: full }) : null;
    };
    try {
      let head = await versions.head(d.tenantId, d.apId);
      const has = (v: ConfigVersionSummary) => tags.includes(v.checksum) || tags.includes('*');
      if (head && !has(head)) return (await changed()) ?? this.answer({ kind: 'no-config' });
      if (head) await this.recover(d, head, tags);
      if (!w) return this.answer(head ? { kind: 'not-modified', version: head } : { kind: 'no-config' });
      const why = await w.done;
      if (why === 'closed') return { kind: 'closed' };
      const woke = w.change();
      // Woken by a publish the device lacks: straight to the bundle.
      if (woke && woke.tenantId === d.tenantId && !tags.includes(woke.checksum)) {
        const r = await fresh(woke);
        if (r) return r;
      }
      head = await versions.head(d.tenantId, d.apId);
      if (head && !has(head)) return (await changed()) ?? this.answer({ kind: 'no-config' });
      return this.answer(head ? { kind: 'not-modified', version: head } : { kind: 'no-config' });
    } finally {
      w?.cancel();
      this.deps.metrics.provisioning.longPolls.set(this.hub.size);
    }
  }

  private answer(r: PollResult): PollResult {
    if (r.kind !== 'closed') this.deps.metrics.provisioning.agentPolls.inc({ result: r.kind });
    return r;
  }

  /** The poll as a report: see the module comment. */
  private async recover(d: DeviceCaller, cur: ConfigVersionSummary, tags: readonly string[]): Promise<void> {
    if (this.recordedApplied.get(d.apId) === cur.version) return;
    const st = await this.deps.provisioning.agents.state(d.tenantId, d.apId);
    if (!st || st.currentVersion !== cur.version) return;
    if (tags[0] === cur.checksum) {
      if (st.status !== 'applied') await this.record(d, cur.version, 'applied', null);
      this.recordedApplied.set(d.apId, cur.version);
    } else if (st.status === 'pending') {
      await this.record(d, cur.version, 'error', 'the agent kept its previous configuration (recovered from a poll; its report was lost)');
    }
  }

  async report(d: DeviceCaller, body: unknown) {
    const v = parseBody(reportSchema, body);
    const state = await this.record(d, v.version, v.status, v.message ?? null);
    return state;
  }

  private async record(d: DeviceCaller, version: number, status: 'applied' | 'error', message: string | null) {
    const at = this.deps.clock.now();
    const out = await this.deps.provisioning.agents.report({ tenantId: d.tenantId, apId: d.apId, version, status, message, at });
    const m = this.deps.metrics.provisioning;
    m.reports.inc({ status, repeat: String(!out.changed) });
    if (out.changed && status === 'applied' && out.state.currentVersion === version && out.state.publishedAt) {
      m.publishToApplied.observe(Math.max(0, at.getTime() - out.state.publishedAt.getTime()) / 1000);
    }
    if (status === 'applied' && out.state.currentVersion === version) this.recordedApplied.set(d.apId, version);
    for (const r of out.completedRotations) this.deps.log.info({ rotation: r.id, client: r.clientId }, 'RADIUS secret rotation complete: the new secret is now the only one');
    return out.state;
  }

  heartbeat(d: DeviceCaller, body: unknown): void {
    const v = parseBody(heartbeatSchema, body ?? {});
    const info: Record<string, string> = {};
    for (const [k, val] of Object.entries(v)) if (val !== undefined) info[k] = String(val);
    this.presence.touch(d.apId, this.deps.clock.now(), Object.keys(info).length ? info : null);
  }

  async certificate(d: DeviceCaller): Promise<string | null> {
    return (await this.deps.provisioning.credentials.get(d.tenantId, d.apId))?.certificatePem ?? null;
  }

  tenantOf(d: DeviceCaller): Promise<Tenant | null> {
    return this.deps.stores.tenants.get(d.tenantId);
  }
}
