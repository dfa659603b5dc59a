/**
 * Acting on live sessions: Disconnect and CoA (RFC 5176) sent to the NAS
 * that reported the session, with the secret of the municipality's RADIUS
 * client that covers the NAS's address. Every request and its outcome
 * (ACK, NAK with Error-Cause, timeout) goes to the audit log.
 *
 * The session row is not changed here: a NAS that disconnects a session
 * sends its Accounting-Request Stop, which closes it with the NAS's own
 * counters (RFC 5176 §3: the NAS "SHOULD" send accounting; the reaper
 * closes it otherwise).
 */
import type { RadiusClient, Session } from '../domain/entities.js';
import { parseCidr, unmapIpv4 } from '../domain/network.js';
import { AppError, E } from '../errors.js';
import type { Logger } from '../log.js';
import type { CoaChange, DynAuthResult, DynAuthTarget, DynamicAuthorization } from '../ports/dynamic-authorization.js';
import type { Stores } from '../ports/stores.js';

export interface SessionControlDeps {
  readonly stores: Stores;
  readonly dynauth: DynamicAuthorization;
  readonly log?: Logger;
}

export interface SessionAction {
  readonly session: Session;
  readonly result: DynAuthResult;
}

/** The client whose network most specifically contains `address` (longest prefix), or null. */
export function clientFor(clients: readonly RadiusClient[], address: string): RadiusClient | null {
  const bare = unmapIpv4(address);
  let best: RadiusClient | null = null;
  let bestPrefix = -1;
  for (const c of clients) {
    const net = parseCidr(c.network);
    if (!net || net.prefix <= bestPrefix) continue;
    const probe = parseCidr(`${bare}/${net.prefix}`);
    if (probe && probe.family === net.family && probe.address === net.address) {
      best = c;
      bestPrefix = net.prefix;
    }
  }
  return best;
}

/**
 * Where and how to reach the session's NAS. The request goes to the
 * address the NAS's accounting came from (it differs from NAS-IP-Address
 * behind NAT); sessions recorded before that address was kept fall back to
 * NAS-IP-Address.
 * @throws AppError NAS_NOT_A_CLIENT
 */
export async function targetOf(stores: Stores, session: Session): Promise<DynAuthTarget> {
  const address = session.nasAddress ?? session.nasIp;
  const client = clientFor(await stores.clients.list(session.tenantId), address);
  if (!client) throw new AppError(E.NAS_NOT_A_CLIENT, { address });
  return {
    tenantId: session.tenantId,
    address: unmapIpv4(address),
    port: client.coaPort,
    secret: client.secret,
    nasIp: session.nasIp,
    nasIdentifier: session.nasIdentifier,
    acctSessionId: session.acctSessionId,
    username: session.username,
    callingStationId: session.callingStationId,
    framedIp: session.framedIp,
  };
}

async function activeSession(stores: Stores, tenantId: string, sessionId: string): Promise<Session> {
  const session = await stores.sessions.get(tenantId, sessionId);
  if (!session) throw new AppError(E.SESSION_NOT_FOUND, { session: sessionId });
  if (session.status !== 'active') throw new AppError(E.SESSION_NOT_ACTIVE, { session: sessionId });
  return session;
}

function outcomeOf(r: DynAuthResult, extra: Record<string, unknown>): Record<string, unknown> {
  return { outcome: r.outcome, errorCause: r.errorCause, errorCauseName: r.errorCauseName, attempts: r.attempts, durationMs: r.durationMs, ...extra };
}

/** Sends a request and audits its outcome, or the failure to send it (no socket, shutting down). */
async function audited(deps: SessionControlDeps, actor: string, tenantId: string, action: string, session: Session, extra: Record<string, unknown>, send: () => Promise<DynAuthResult>): Promise<DynAuthResult> {
  let result: DynAuthResult;
  try {
    result = await send();
  } catch (err) {
    await deps.stores.audit.append({ actor, tenantId, action, target: `session:${session.id}`, before: null, after: { outcome: 'error', error: (err as Error).message, ...extra } });
    throw err;
  }
  await deps.stores.audit.append({ actor, tenantId, action, target: `session:${session.id}`, before: null, after: outcomeOf(result, extra) });
  return result;
}

/**
 * Sends a Disconnect-Request for one of the tenant's active sessions.
 * @throws AppError SESSION_NOT_FOUND | SESSION_NOT_ACTIVE | NAS_NOT_A_CLIENT
 */
export async function disconnectSession(deps: SessionControlDeps, tenantId: string, sessionId: string, actor: string, reason: string | null = null): Promise<SessionAction> {
  const session = await activeSession(deps.stores, tenantId, sessionId);
  const target = await targetOf(deps.stores, session);
  const result = await audited(deps, actor, tenantId, 'session.disconnect', session, { reason }, () => deps.dynauth.disconnect(target));
  deps.log?.info({ tenant: tenantId, session: session.id, outcome: result.outcome, errorCause: result.errorCause, attempts: result.attempts }, 'Disconnect-Request sent');
  return { session, result };
}

/**
 * Sends a CoA-Request changing a live session's timeout or bandwidth.
 * @throws AppError SESSION_NOT_FOUND | SESSION_NOT_ACTIVE | NAS_NOT_A_CLIENT
 */
export async function changeSession(deps: SessionControlDeps, tenantId: string, sessionId: string, change: CoaChange, actor: string): Promise<SessionAction> {
  const session = await activeSession(deps.stores, tenantId, sessionId);
  const target = await targetOf(deps.stores, session);
  const result = await audited(deps, actor, tenantId, 'session.coa', session, { change }, () => deps.dynauth.coa(target, change));
  deps.log?.info({ tenant: tenantId, session: session.id, outcome: result.outcome, errorCause: result.errorCause, attempts: result.attempts }, 'CoA-Request sent');
  return { session, result };
}

export interface IdentityDisconnect {
  readonly sessionId: string;
  readonly tenantId: string;
  /** The NAS's answer, or `error` when no request could be sent (no RADIUS client covers the NAS). */
  readonly outcome: DynAuthResult['outcome'] | 'error';
  readonly errorCauseName: string | null;
}

/**
 * Disconnects every active session of an identity, in every municipality
 * (a disabled or erased account must not keep browsing). Requests go out
 * in parallel; one NAS failing does not stop the others.
 */
export async function disconnectIdentity(deps: SessionControlDeps, identityId: string, actor: string, reason: string): Promise<IdentityDisconnect[]> {
  const sessions = await deps.stores.sessions.list({ identityId, activeOnly: true, limit: 1000 });
  return Promise.all(
    sessions.map(async (s): Promise<IdentityDisconnect> => {
      try {
        const { result } = await disconnectSession(deps, s.tenantId, s.id, actor, reason);
        return { sessionId: s.id, tenantId: s.tenantId, outcome: result.outcome, errorCauseName: result.errorCauseName };
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        deps.log?.warn({ tenant: s.tenantId, session: s.id, code: err.code }, 'session of a disabled identity not disconnected');
        return { sessionId: s.id, tenantId: s.tenantId, outcome: 'error', errorCauseName: err.code };
      }
    }),
  );
}
