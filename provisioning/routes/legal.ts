/**
 * The legal connection log (CPCE L34-1 II bis, décret 2021-1362) for
 * operators answering a judicial request: audited exports and their trail,
 * legal holds, and gateways' NAT logs. controller/services/legal.ts does
 * the work and writes the audit events.
 *
 * Who: an admin (federation-wide without ?tenant) or a municipality's
 * read-write token for its own municipality. A read-only token sees none of
 * it: an export discloses citizens' connections, which is more than reading
 * the municipality's settings.
 */
import type { RequestHandler, Router } from 'express';
import { AppError, E } from '../../controller/errors.js';
import type { Stores } from '../../controller/ports/stores.js';
import { exportLegalLog, importNatLog, legalExportSchema, legalHoldSchema, placeHold, releaseHold } from '../../controller/services/legal.js';
import { callerOf, permit, scopeOf, tenantOf, type ApiCaller } from '../auth.js';
import { HOLD_JSON_LIMIT, json, jsonUpTo, natLog, natLogFormat, param } from '../http.js';
import type { OperationsDeps, OperationsRouteContext } from '../operations.js';
import { parseBody, queryBool, queryInt } from '../schemas.js';
import { holdView, legalExportRecordView } from '../views.js';

function permitLegal(caller: ApiCaller): void {
  if (caller.role === 'municipal-ro') throw new AppError(E.FORBIDDEN, { action: 'use the legal connection log' });
}

/** Slugs by tenant id; null (federation-wide) stays null. */
async function slugger(stores: Stores): Promise<(tenantId: string | null) => string | null> {
  const slugs = new Map((await stores.tenants.list()).map((t) => [t.id, t.slug]));
  return (id) => (id === null ? null : (slugs.get(id) ?? id));
}

export function registerLegal(router: Router, deps: OperationsDeps, { api }: OperationsRouteContext): void {
  const { stores } = deps;

  router.post('/legal/exports', api, json, async (req, res) => {
    const caller = callerOf(res);
    permitLegal(caller);
    const scope = await scopeOf(stores, caller, req);
    // Checked here first so an unknown field is named (the service's issues name the object instead).
    parseBody(legalExportSchema, req.body);
    const x = await exportLegalLog(deps, scope, req.body, caller.actor, 'api');
    res
      .status(200)
      .set({
        'Content-Type': x.contentType,
        'Content-Disposition': `attachment; filename="${x.filename}"`,
        'Cache-Control': 'no-store',
        'X-Wfc-Audit-Id': x.auditId,
        'X-Wfc-Sha256': x.sha256,
        'X-Wfc-Sessions': String(x.sessions),
      })
      .send(x.body);
  });

  router.get('/legal/exports', api, async (req, res) => {
    const caller = callerOf(res);
    permitLegal(caller);
    const scope = await scopeOf(stores, caller, req);
    const limit = queryInt(req.query.limit, 'limit', 1, 1000, 100);
    const events = await stores.audit.list({ tenantId: scope === null ? undefined : scope.id, action: 'legal.export', limit });
    const slug = await slugger(stores);
    res.json({ items: events.map((e) => legalExportRecordView(e, slug(e.tenantId))) });
  });

  router.post('/legal/holds', api, jsonUpTo(HOLD_JSON_LIMIT), async (req, res) => {
    const caller = callerOf(res);
    permitLegal(caller);
    const scope = await scopeOf(stores, caller, req);
    parseBody(legalHoldSchema, req.body);
    const hold = await placeHold(deps, scope, req.body, caller.actor);
    res.status(201).json(holdView(hold, (await slugger(stores))(hold.tenantId)));
  });

  router.get('/legal/holds', api, async (req, res) => {
    const caller = callerOf(res);
    permitLegal(caller);
    const scope = await scopeOf(stores, caller, req);
    const includeReleased = queryBool(req.query.released, 'released', false);
    const holds = await stores.legal.listHolds(scope?.id ?? null, { includeReleased });
    const slug = await slugger(stores);
    res.json({ items: holds.map((h) => holdView(h, slug(h.tenantId))) });
  });

  router.post('/legal/holds/:id/release', api, async (req, res) => {
    const caller = callerOf(res);
    permitLegal(caller);
    const scope = await scopeOf(stores, caller, req);
    const hold = await releaseHold(deps, scope, param(req, 'id'), caller.actor);
    res.json(holdView(hold, (await slugger(stores))(hold.tenantId)));
  });

  // The role is checked before up to NAT_LOG_LIMIT bytes are read.
  const mayWrite: RequestHandler = (_req, res, next) => {
    permit(callerOf(res), 'write');
    next();
  };
  router.post('/legal/nat-mappings', api, mayWrite, natLog, async (req, res) => {
    const caller = callerOf(res);
    const tenant = await tenantOf(stores, caller, req);
    const text = typeof req.body === 'string' ? req.body : '';
    res.json(await importNatLog(deps, tenant, text, natLogFormat(req) ?? 'csv', caller.actor));
  });
}
