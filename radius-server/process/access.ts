/**
 * Access-Request processing (RFC 2865 §4.1): find who is asking, check the
 * credential, apply the municipality's policy. Returns an outcome; the
 * engine turns it into a reply through the REPLY table.
 *
 * Credentials, in the order they are recognised:
 * - MAC authentication: User-Name is a MAC address (gateways send the
 *   device MAC as User-Name, often also as password); accepted while the
 *   device is remembered by an identity.
 * - One-time portal token: CHAP-Password (RFC 2865 §5.3) or a User-Password
 *   starting with `wfct_`, bound to the identity, the device and the
 *   municipality.
 * - PAP with the identity's password (argon2id, cached after success).
 * CHAP with a long-term password would need it in clear on the server: refused.
 */
import type { Identity } from '../../controller/domain/entities.js';
import { parseCalledStationId, parseMac, type Mac } from '../../controller/domain/mac.js';
import { grantFor } from '../../controller/domain/policy.js';
import { findByLogin } from '../../controller/services/identities.js';
import type { Clock } from '../../controller/ports/clock.js';
import type { LiveSessionStore } from '../../controller/ports/live-sessions.js';
import { LOGIN_TOKEN_PREFIX, type LoginToken, type LoginTokenStore } from '../../controller/ports/login-tokens.js';
import type { RateLimiter, RateLimitOptions } from '../../controller/ports/rate-limit.js';
import type { Stores } from '../../controller/ports/stores.js';
import { children, type Metrics } from '../../controller/metrics.js';
import type { Policy } from '../../controller/domain/policy.js';
import { buildAttributes, getAttribute, getString, type AttributePairs } from '../codec/attributes.js';
import { unhideUserPasswordRfc2865, verifyChapPasswordRfc2865 } from '../codec/crypto.js';
import type { Attribute, Packet } from '../codec/packet.js';
import type { PapVerifier } from '../auth/verify-cache.js';
import { startOfLocalDay } from '../../controller/domain/day.js';
import type { ClientContext, Directory } from '../directory.js';
import type { RejectReason } from './outcomes.js';
import { rejectMessage } from './messages.js';

export type AccessMethod = 'pap' | 'token' | 'mac';

export type AccessOutcome =
  | { readonly outcome: 'accept'; readonly method: AccessMethod; readonly attributes: Attribute[] }
  | { readonly outcome: 'reject'; readonly reason: RejectReason; readonly attributes: Attribute[] };

export interface AccessDeps {
  readonly stores: Stores;
  readonly directory: Directory;
  readonly live: LiveSessionStore;
  readonly limiter: RateLimiter;
  readonly tokens: LoginTokenStore;
  readonly verifier: PapVerifier;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly limits?: AccessLimits;
}

export interface AccessLimits {
  /** Failed attempts per identity before a lockout (guessing one citizen's password). */
  readonly identity: RateLimitOptions;
  /** Failed attempts per RADIUS client (a credential-stuffing gateway network). */
  readonly client: RateLimitOptions;
  /** How long an Access-Accept holds a Simultaneous-Use slot awaiting Accounting Start. */
  readonly reserveTtlMs: number;
}

export const DEFAULT_ACCESS_LIMITS: AccessLimits = {
  identity: { limit: 10, windowMs: 10 * 60_000 },
  client: { limit: 500, windowMs: 60_000 },
  reserveTtlMs: 60_000,
};

/** Class (RFC 2865 §5.25) echoed by the NAS in accounting: ties sessions to the identity. */
export const CLASS_PREFIX = 'wfc:';

/** A fixed argon2id hash: unknown users cost the same verification as known ones. */
const DUMMY_HASH = '$argon2id$v=19$m=19456,p=1,t=2$BhkHQq4ZAy9HbvNs3ErQHA$/D3TVzjFRPK3e9EiaENTN6kbKFpDf6az61Kaka4JiKo';

export function createAccessProcessor(deps: AccessDeps) {
  const limits = deps.limits ?? DEFAULT_ACCESS_LIMITS;
  const { stores, metrics } = deps;
  const counters = {
    requests: children(metrics.radius.accessRequests),
    accepts: children(metrics.radius.accessAccepts),
    rejects: children(metrics.radius.accessRejects),
    rateLimited: children(metrics.radius.rateLimited),
    unregisteredAp: children(metrics.radius.unregisteredAp),
  };
  /** The policy's fixed reply attributes, encoded once per policy object (the directory replaces it on reload). */
  const policyAttributes = new WeakMap<Policy, Attribute[]>();

  const reject = (ctx: ClientContext, reason: RejectReason, identity: Identity | null): AccessOutcome => {
    counters.rejects(ctx.tenant.slug, reason).inc();
    return { outcome: 'reject', reason, attributes: buildAttributes({ 'Reply-Message': rejectMessage(reason, identity?.locale ?? null) }) };
  };

  async function authorize(ctx: ClientContext, identity: Identity, method: AccessMethod, mac: Mac | null): Promise<AccessOutcome> {
    if (identity.disabled) return reject(ctx, 'disabled', identity);
    if (!identity.verified) return reject(ctx, 'unverified', identity);
    const policy = ctx.tenant.policy;
    const now = deps.clock.now();
    const used = policy.dailyTimeQuota !== null || policy.dailyDataQuota !== null ? await stores.sessions.usageSince(identity.id, startOfLocalDay(now)) : { seconds: 0, bytes: 0 };
    const grant = grantFor(policy, used);
    if (!grant.ok) return reject(ctx, grant.reason, identity);
    const reserved = await deps.live.tryReserve({ identityId: identity.id, limit: policy.simultaneousUse, ttlMs: limits.reserveTtlMs, callingStationId: mac });
    if (!reserved) return reject(ctx, 'simultaneous-use', identity);

    const attrs = buildAttributes({
      'User-Name': identity.username,
      Class: Buffer.from(CLASS_PREFIX + identity.id),
      'Session-Timeout': grant.sessionTimeout,
    });
    attrs.push(...fixedAttributes(policy));
    if (grant.dataLimit !== null) {
      attrs.push(
        ...buildAttributes({
          'ChilliSpot-Max-Total-Octets': grant.dataLimit % 2 ** 32,
          'ChilliSpot-Max-Total-Gigawords': Math.floor(grant.dataLimit / 2 ** 32),
        }),
      );
    }
    counters.accepts(ctx.tenant.slug, method).inc();
    return { outcome: 'accept', method, attributes: attrs };
  }

  function fixedAttributes(policy: Policy): Attribute[] {
    let attrs = policyAttributes.get(policy);
    if (attrs) return attrs;
    const pairs: AttributePairs = { 'Idle-Timeout': policy.idleTimeout, 'Acct-Interim-Interval': policy.interimInterval };
    attrs = buildAttributes(pairs);
    if (policy.bandwidthUp !== null && policy.bandwidthDown !== null) {
      attrs.push(
        ...buildAttributes({
          'WISPr-Bandwidth-Max-Up': policy.bandwidthUp,
          'WISPr-Bandwidth-Max-Down': policy.bandwidthDown,
          // CoovaChilli counts in kbit/s.
          'ChilliSpot-Bandwidth-Max-Up': Math.max(1, Math.floor(policy.bandwidthUp / 1000)),
          'ChilliSpot-Bandwidth-Max-Down': Math.max(1, Math.floor(policy.bandwidthDown / 1000)),
          // MikroTik: rx/tx from the router's side, i.e. the client's upload/download.
          'Mikrotik-Rate-Limit': `${Math.max(1, Math.floor(policy.bandwidthUp / 1000))}k/${Math.max(1, Math.floor(policy.bandwidthDown / 1000))}k`,
        }),
      );
    }
    policyAttributes.set(policy, attrs);
    return attrs;
  }

  /** The RADIUS client's lockout (a credential-stuffing network), peeked once per request. */
  async function clientLocked(ctx: ClientContext): Promise<boolean> {
    if ((await deps.limiter.peek(`client:${ctx.client.id}`, limits.client)).allowed) return false;
    counters.rateLimited(ctx.tenant.slug, 'client').inc();
    return true;
  }

  async function identityLocked(ctx: ClientContext, identity: Identity): Promise<boolean> {
    if ((await deps.limiter.peek(`ident:${identity.id}`, limits.identity)).allowed) return false;
    counters.rateLimited(ctx.tenant.slug, 'identity').inc();
    return true;
  }

  async function failed(ctx: ClientContext, identity: Identity | null): Promise<AccessOutcome> {
    await Promise.all([
      deps.limiter.hit(`client:${ctx.client.id}`, limits.client),
      identity ? deps.limiter.hit(`ident:${identity.id}`, limits.identity) : null,
    ]);
    return reject(ctx, 'invalid-credentials', identity);
  }

  /** A token is good only for its identity, its device and its municipality, and only once. */
  async function useToken(ctx: ClientContext, identity: Identity, token: LoginToken | null, mac: Mac | null): Promise<boolean> {
    if (!token || token.identityId !== identity.id || token.tenantId !== ctx.tenant.id || token.mac !== mac) return false;
    return (await deps.tokens.consume(token.secret)) !== null;
  }

  async function macAuth(ctx: ClientContext, mac: Mac, calling: Mac | null): Promise<AccessOutcome> {
    if (calling !== null && calling !== mac) return reject(ctx, 'unknown-device', null);
    const device = await stores.devices.findActiveByMac(mac, deps.clock.now());
    const identity = device ? await stores.identities.get(device.identityId) : null;
    if (!identity) return reject(ctx, 'unknown-device', null);
    return authorize(ctx, identity, 'mac', mac);
  }

  return async function processAccess(ctx: ClientContext, packet: Packet): Promise<AccessOutcome> {
    counters.requests(ctx.tenant.slug).inc();
    const userName = getString(packet, 'User-Name');
    const callingRaw = getString(packet, 'Calling-Station-Id');
    const calling = callingRaw ? parseMac(callingRaw) : null;

    // The access point: Called-Station-Id (RFC 3580 §3.20 `MAC:SSID`), else NAS-Identifier.
    const called = getString(packet, 'Called-Station-Id');
    const apMac = called ? parseCalledStationId(called).mac : null;
    const ap = await deps.directory.accessPoint(ctx.tenant.id, apMac, getString(packet, 'NAS-Identifier') ?? null);
    if (!ap) {
      counters.unregisteredAp(ctx.tenant.slug).inc();
      if (ctx.tenant.policy.unregisteredAp === 'reject') return reject(ctx, 'unregistered-ap', null);
    }

    if (!userName) return reject(ctx, 'no-credentials', null);
    const userMac = parseMac(userName);
    if (userMac) return macAuth(ctx, userMac, calling);

    if (await clientLocked(ctx)) return reject(ctx, 'locked-out', null);
    const federation = deps.directory.federation;
    const identity = await findByLogin(stores, federation, userName);
    if (!identity) {
      const at = userName.lastIndexOf('@');
      if (at >= 0 && federation && userName.slice(at + 1).toLowerCase() !== federation.realm) return reject(ctx, 'foreign-realm', null);
    } else if (await identityLocked(ctx, identity)) {
      return reject(ctx, 'locked-out', identity);
    }

    const chap = getAttribute(packet, 'CHAP-Password');
    if (chap) {
      const token = identity && calling ? await deps.tokens.pending(identity.id, calling) : null;
      if (!token) return identity ? reject(ctx, 'chap-needs-token', identity) : failed(ctx, null);
      if (!verifyChapPasswordRfc2865(packet, token.secret).ok || !(await useToken(ctx, identity!, token, calling))) return failed(ctx, identity);
      return authorize(ctx, identity!, 'token', calling);
    }

    const hidden = getAttribute(packet, 'User-Password');
    if (!hidden) return reject(ctx, 'no-credentials', identity);
    const unhidden = unhideUserPasswordRfc2865(hidden, ctx.client.secret, packet.authenticator);
    if (!unhidden.ok) return failed(ctx, identity);
    const password = unhidden.password.toString('utf8');

    if (password.startsWith(LOGIN_TOKEN_PREFIX)) {
      if (!identity || !(await useToken(ctx, identity, await deps.tokens.peek(password), calling))) return failed(ctx, identity);
      return authorize(ctx, identity, 'token', calling);
    }
    if (!identity) {
      await deps.verifier.verify({ id: '', passwordHash: DUMMY_HASH, updatedAt: new Date(0) } as Identity, password);
      return failed(ctx, null);
    }
    if (!(await deps.verifier.verify(identity, password))) return failed(ctx, identity);
    return authorize(ctx, identity, 'pap', calling);
  };
}

export type AccessProcessor = ReturnType<typeof createAccessProcessor>;
