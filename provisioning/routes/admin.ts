/** Tokens, the audit log, variables and RADIUS secret rotations. */
import type { Router } from 'express';
import { AppError, E, validationError } from '../../controller/errors.js';
import { createApiToken } from '../../controller/services/tokens.js';
import { callerOf, permit, scopeOf, tenantOf } from '../auth.js';
import { json, param } from '../http.js';
import type { ProvisioningRuntime } from '../runtime.js';
import { parseBody, queryInt, rotationSchema, tokenCreateSchema } from '../schemas.js';
import { auditView, rotationView, tokenView } from '../views.js';
import type { RouteContext } from './context.js';

export function registerAdmin(router: Router, rt: ProvisioningRuntime, { api }: RouteContext): void {
  const { stores, provisioning, clock } = rt.deps;
  const published = (list: ReadonlyArray<{ apId: string; version: number }>) => list.map((v) => ({ apId: v.apId, version: v.version }));

  router.get('/tokens', api, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'read');
    const scope = await scopeOf(stores, caller, req);
    res.json({ items: (await stores.tokens.list(scope?.id ?? null)).map((t) => tokenView(t, scope?.slug ?? null)) });
  });

  router.post('/tokens', api, json, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'write');
    const scope = await scopeOf(stores, caller, req);
    const v = parseBody(tokenCreateSchema, req.body);
    if (scope === null && v.role !== 'admin') throw validationError([{ field: 'role', message: 'a federation-wide token is admin; give ?tenant=<slug> for a municipality' }]);
    if (scope !== null && v.role === 'admin') throw validationError([{ field: 'role', message: "a municipality's token is municipal-rw or municipal-ro" }]);
    const { token, secret } = await createApiToken(stores, { tenant: scope, name: v.name, role: v.role }, caller.actor);
    res.status(201).json({ ...tokenView(token, scope?.slug ?? null), token: secret });
  });

  router.delete('/tokens/:id', api, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'write');
    const scope = await scopeOf(stores, caller, req);
    const id = param(req, 'id');
    // Only a token of the caller's own scope: another municipality's is "not found".
    const before = (await stores.tokens.list(scope?.id ?? null)).find((t) => t.id === id);
    if (!before) throw new AppError(E.TOKEN_NOT_FOUND, { token: id });
    const at = clock.now();
    await stores.tokens.revoke(id, at);
    const after = (await stores.tokens.list(scope?.id ?? null)).find((t) => t.id === id) ?? before;
    await stores.audit.append({ actor: caller.actor, tenantId: scope?.id ?? null, action: 'token.revoke', target: `token:${id}`, before: tokenView(before, scope?.slug ?? null), after: tokenView(after, scope?.slug ?? null) });
    res.status(204).end();
  });

  router.get('/audit', api, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'read');
    const scope = await scopeOf(stores, caller, req);
    const limit = queryInt(req.query.limit, 'limit', 1, 1000, 100);
    const events = await stores.audit.list({ tenantId: scope === null ? undefined : scope.id, limit });
    res.json({ items: events.map(auditView) });
  });

  router.get('/variables', api, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'read');
    const tenant = await tenantOf(stores, caller, req);
    res.json({ variables: await provisioning.variables.get(tenant.id) });
  });

  router.put('/variables', api, json, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'write');
    const tenant = await tenantOf(stores, caller, req);
    const r = await rt.accessPoints.setVariables(tenant, req.body, caller.actor);
    res.json({ variables: r.variables, published: published(r.published), problems: r.problems });
  });

  router.get('/federation/variables', api, async (_req, res) => {
    permit(callerOf(res), 'read');
    res.json({ variables: await provisioning.variables.get(null) });
  });

  router.put('/federation/variables', api, json, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'admin');
    const r = await rt.accessPoints.setVariables(null, req.body, caller.actor);
    res.json({ variables: r.variables, published: published(r.published), problems: r.problems });
  });

  router.get('/radius-secret-rotations', api, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'read');
    const tenant = await tenantOf(stores, caller, req);
    res.json({ items: (await provisioning.rotations.list(tenant.id)).map(rotationView) });
  });

  router.post('/radius-secret-rotations', api, json, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'write');
    const tenant = await tenantOf(stores, caller, req);
    const { clientId } = parseBody(rotationSchema, req.body);
    const r = await rt.accessPoints.startRotation(tenant, clientId, caller.actor);
    // The new secret is shown once, for gateways configured by hand (like `wfc client add`).
    res.status(201).json({ rotation: rotationView(r.rotation), newSecret: r.newSecret, published: published(r.published), problems: r.problems });
  });

  router.post('/radius-secret-rotations/:id/complete', api, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'write');
    const tenant = await tenantOf(stores, caller, req);
    const r = await provisioning.rotations.complete({ tenantId: tenant.id, id: param(req, 'id'), actor: caller.actor });
    res.json(rotationView(r));
  });
}
