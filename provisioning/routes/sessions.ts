/**
 * Sessions as accounting reports them, and acting on live ones: Disconnect
 * and CoA (RFC 5176) through controller/services/sessions.ts, which audits
 * every request and its outcome.
 *
 * Statuses: the NAS answered (ACK or NAK) → 200, the outcome in the body; no
 * valid answer after every retransmission → 504 WFC_NAS_TIMEOUT, the body
 * still carrying the result. A NAK is not an API error: the request reached
 * the NAS, which said no and why (Error-Cause, RFC 5176 §3.5).
 */
import type { Request, Response, Router } from 'express';
import type { Session, Tenant } from '../../controller/domain/entities.js';
import { AppError, E } from '../../controller/errors.js';
import type { Stores } from '../../controller/ports/stores.js';
import { findByLogin } from '../../controller/services/identities.js';
import { changeSession, disconnectSession, type SessionAction } from '../../controller/services/sessions.js';
import { callerOf, permit, scopeOf, type ApiCaller } from '../auth.js';
import { json, param } from '../http.js';
import type { OperationsDeps, OperationsRouteContext } from '../operations.js';
import { coaSchema, disconnectSchema, parseBody, queryBool, queryInt, queryString } from '../schemas.js';
import { dynAuthResultView, sessionView } from '../views.js';

/**
 * The session and its municipality. A municipal token (or an admin with
 * ?tenant) looks in its municipality only: another's session is "not found".
 * An admin without ?tenant finds the session wherever it is: ids are unique
 * in the federation, and the lists it reads them from span municipalities.
 * @throws AppError SESSION_NOT_FOUND
 */
async function locate(stores: Stores, caller: ApiCaller, req: Request, id: string): Promise<{ session: Session; tenant: Tenant }> {
  const scope = await scopeOf(stores, caller, req);
  const candidates = scope ? [scope] : await stores.tenants.list();
  const found = await Promise.all(candidates.map(async (tenant) => ({ tenant, session: await stores.sessions.get(tenant.id, id) })));
  const hit = found.find((f) => f.session !== null);
  if (!hit?.session) throw new AppError(E.SESSION_NOT_FOUND, { session: id });
  return { session: hit.session, tenant: hit.tenant };
}

/** `user` as an operator types it: login, e-mail, identity id, or the pseudonym an erased account left. */
async function identityIdOf(stores: Stores, user: string): Promise<string> {
  const live = (await findByLogin(stores, await stores.federation.get(), user)) ?? (await stores.identities.get(user));
  // Unknown names list nothing: a municipality cannot probe the federation's accounts.
  return live?.id ?? user;
}

function answer(res: Response, { session, result }: SessionAction, municipality: string): void {
  const body = { session: sessionView(session, municipality), result: dynAuthResultView(result) };
  if (result.outcome === 'timeout') {
    const err = new AppError(E.NAS_TIMEOUT, { kind: result.kind === 'disconnect' ? 'Disconnect' : 'CoA', session: session.id, attempts: result.attempts });
    res.status(err.status).json({ ...err.toJSON(), ...body });
    return;
  }
  res.json(body);
}

export function registerSessions(router: Router, deps: OperationsDeps, { api }: OperationsRouteContext): void {
  const { stores } = deps;

  router.get('/sessions', api, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'read');
    const scope = await scopeOf(stores, caller, req);
    const active = queryBool(req.query.active, 'active', false);
    const user = queryString(req.query.user, 'user');
    const limit = queryInt(req.query.limit, 'limit', 1, 1000, 100);
    const sessions = await stores.sessions.list({
      ...(scope ? { tenantId: scope.id } : {}),
      ...(user !== undefined ? { identityId: await identityIdOf(stores, user) } : {}),
      activeOnly: active,
      limit,
    });
    const slugs = scope ? new Map([[scope.id, scope.slug]]) : new Map((await stores.tenants.list()).map((t) => [t.id, t.slug]));
    res.json({ items: sessions.map((s) => sessionView(s, slugs.get(s.tenantId) ?? s.tenantId)) });
  });

  router.get('/sessions/:id', api, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'read');
    const { session, tenant } = await locate(stores, caller, req, param(req, 'id'));
    res.json(sessionView(session, tenant.slug));
  });

  router.post('/sessions/:id/disconnect', api, json, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'write');
    const body = parseBody(disconnectSchema.optional(), req.body) ?? {};
    const { session, tenant } = await locate(stores, caller, req, param(req, 'id'));
    answer(res, await disconnectSession(deps, tenant.id, session.id, caller.actor, body.reason ?? null), tenant.slug);
  });

  router.post('/sessions/:id/coa', api, json, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'write');
    const change = parseBody(coaSchema, req.body);
    const { session, tenant } = await locate(stores, caller, req, param(req, 'id'));
    answer(res, await changeSession(deps, tenant.id, session.id, change, caller.actor), tenant.slug);
  });
}
