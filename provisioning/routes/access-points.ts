/** Access points: CRUD, enrolment tokens, status, CSV import, inventory export. */
import type { Router } from 'express';
import { AppError, E } from '../../controller/errors.js';
import { callerOf, permit, tenantOf } from '../auth.js';
import { csv, json, param } from '../http.js';
import { exportInventory, importCsv } from '../inventory.js';
import type { ProvisioningRuntime } from '../runtime.js';
import { agentView, apView, configStatusView } from '../views.js';
import type { RouteContext } from './context.js';

export function registerAccessPoints(router: Router, rt: ProvisioningRuntime, { api }: RouteContext): void {
  const { stores, provisioning } = rt.deps;
  const view = async (tenantId: string, id: string) => {
    const p = await rt.publisher.requireAp(tenantId, id);
    const s = await provisioning.agents.state(tenantId, id);
    return apView(p, s, rt.liveness(id, s));
  };

  router.get('/access-points', api, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'read');
    const tenant = await tenantOf(stores, caller, req);
    const items = await rt.listWithState(tenant.id);
    res.json({ items: items.map(({ p, state }) => apView(p, state, rt.liveness(p.ap.id, state))) });
  });

  router.post('/access-points', api, json, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'write');
    const tenant = await tenantOf(stores, caller, req);
    const r = await rt.accessPoints.create(tenant, req.body, caller.actor);
    res
      .status(201)
      .location(`${req.baseUrl}/access-points/${r.provisioned.ap.id}`)
      .json({
        accessPoint: await view(tenant.id, r.provisioned.ap.id),
        enrolment: { token: r.enrolment.token, expiresAt: r.enrolment.expiresAt.toISOString() },
        renderIssues: r.renderIssues,
      });
  });

  router.post('/access-points/import', api, csv, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'write');
    const tenant = await tenantOf(stores, caller, req);
    const dryRun = req.query.dryRun === 'true' || req.query.dryRun === '1';
    const text = typeof req.body === 'string' ? req.body : '';
    res.json(await importCsv(rt.deps, rt.accessPoints, tenant, text, { dryRun, actor: caller.actor }));
  });

  router.get('/access-points/:id', api, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'read');
    const tenant = await tenantOf(stores, caller, req);
    res.json(await view(tenant.id, param(req, 'id')));
  });

  router.patch('/access-points/:id', api, json, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'write');
    const tenant = await tenantOf(stores, caller, req);
    const r = await rt.accessPoints.update(tenant, param(req, 'id'), req.body, caller.actor);
    res.json({ accessPoint: await view(tenant.id, r.provisioned.ap.id), renderIssues: r.renderIssues });
  });

  router.delete('/access-points/:id', api, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'write');
    const tenant = await tenantOf(stores, caller, req);
    await rt.accessPoints.delete(tenant, param(req, 'id'), caller.actor);
    rt.presence.forget(param(req, 'id'));
    res.status(204).end();
  });

  router.post('/access-points/:id/enrolment', api, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'write');
    const tenant = await tenantOf(stores, caller, req);
    const e = await rt.accessPoints.issueEnrolment(tenant, param(req, 'id'), caller.actor);
    res.status(201).json({ token: e.token, expiresAt: e.expiresAt.toISOString() });
  });

  router.get('/access-points/:id/status', api, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'read');
    const tenant = await tenantOf(stores, caller, req);
    const id = param(req, 'id');
    const s = await provisioning.agents.state(tenant.id, id);
    if (!s) throw new AppError(E.AP_NOT_FOUND, { ap: id });
    res.json({ config: configStatusView(s), agent: agentView(s, rt.liveness(id, s)) });
  });

  for (const format of ['csv', 'geojson'] as const) {
    router.get(`/inventory.${format}`, api, async (req, res) => {
      const caller = callerOf(res);
      permit(caller, 'read');
      const tenant = await tenantOf(stores, caller, req);
      const items = (await rt.listWithState(tenant.id)).map(({ p, state }) => ({ p, state, ...rt.liveness(p.ap.id, state) }));
      const body = await exportInventory(rt.publisher, tenant, items, format);
      res
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/geo+json')
        .attachment(`inventory-${tenant.slug}.${format}`)
        .send(body);
    });
  }
}
