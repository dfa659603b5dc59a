/** An access point's configuration: current version, history, diff, rollback, publish, preview. */
import type { Request, Response, Router } from 'express';
import { AppError, E, validationError } from '../../controller/errors.js';
import type { Firmware } from '../../controller/ports/provisioning.js';
import { callerOf, permit, tenantOf } from '../auth.js';
import { json, param } from '../http.js';
import { decodeBundle } from '../render/bundle.js';
import { unifiedDiff } from '../render/diff.js';
import { FIRMWARES } from '../render/pipeline.js';
import { redactText } from '../render/redact.js';
import type { ProvisioningRuntime } from '../runtime.js';
import { parseBody, queryInt, rollbackSchema } from '../schemas.js';
import { versionSummaryView, versionView } from '../views.js';
import type { RouteContext } from './context.js';

export function registerConfig(router: Router, rt: ProvisioningRuntime, { api }: RouteContext): void {
  const { stores, provisioning } = rt.deps;
  const versionParam = (v: string): number => {
    if (!/^\d{1,9}$/.test(v) || Number(v) < 1) throw validationError([{ field: 'version', message: 'a version number (1, 2, …)' }]);
    return Number(v);
  };
  const setup = async (req: Request, res: Response, p: 'read' | 'write') => {
    const caller = callerOf(res);
    permit(caller, p);
    const tenant = await tenantOf(stores, caller, req);
    const id = param(req, 'id');
    await rt.publisher.requireAp(tenant.id, id);
    return { caller, tenant, id };
  };

  router.get('/access-points/:id/config', api, async (req, res) => {
    const { tenant, id } = await setup(req, res, 'read');
    const v = await provisioning.versions.current(tenant.id, id);
    if (!v) throw new AppError(E.NO_CONFIG, { ap: id });
    res.json(versionView(v));
  });

  router.get('/access-points/:id/config/versions', api, async (req, res) => {
    const { tenant, id } = await setup(req, res, 'read');
    const limit = queryInt(req.query.limit, 'limit', 1, 1000, 100);
    res.json({ items: (await provisioning.versions.history(tenant.id, id, { limit })).map(versionSummaryView) });
  });

  router.get('/access-points/:id/config/versions/:version', api, async (req, res) => {
    const { tenant, id } = await setup(req, res, 'read');
    const version = versionParam(param(req, 'version'));
    const v = await provisioning.versions.get(tenant.id, id, version);
    if (!v) throw new AppError(E.CONFIG_VERSION_NOT_FOUND, { ap: id, version });
    res.json(versionView(v));
  });

  router.get('/access-points/:id/config/diff', api, async (req, res) => {
    const { tenant, id } = await setup(req, res, 'read');
    const current = await provisioning.versions.current(tenant.id, id);
    if (!current) throw new AppError(E.NO_CONFIG, { ap: id });
    const to = queryInt(req.query.to, 'to', 1, current.version, current.version);
    const from = queryInt(req.query.from, 'from', 1, current.version, Math.max(1, to - 1));
    const [a, b] = await Promise.all([provisioning.versions.get(tenant.id, id, from), provisioning.versions.get(tenant.id, id, to)]);
    if (!a) throw new AppError(E.CONFIG_VERSION_NOT_FOUND, { ap: id, version: from });
    if (!b) throw new AppError(E.CONFIG_VERSION_NOT_FOUND, { ap: id, version: to });
    const fa = new Map(decodeBundle(a.bundle).map((f) => [f.path, redactText(f.content)]));
    const fb = new Map(decodeBundle(b.bundle).map((f) => [f.path, redactText(f.content)]));
    const paths = [...new Set([...fa.keys(), ...fb.keys()])].sort();
    const text = paths.map((p) => unifiedDiff(fa.get(p) ?? '', fb.get(p) ?? '', { from: `v${from}/${p}`, to: `v${to}/${p}` })).join('');
    res.type('text/x-diff; charset=utf-8').send(text);
  });

  router.post('/access-points/:id/config/rollback', api, json, async (req, res) => {
    const { caller, tenant, id } = await setup(req, res, 'write');
    const { version } = parseBody(rollbackSchema, req.body);
    const r = await rt.accessPoints.rollback(tenant, id, version, caller.actor);
    res.status(r.published ? 201 : 200).json({ published: r.published ? versionSummaryView(r.published) : null });
  });

  router.post('/access-points/:id/config/publish', api, async (req, res) => {
    const { caller, tenant, id } = await setup(req, res, 'write');
    const r = await rt.accessPoints.republish(tenant, [id], caller.actor);
    const problem = r.problems[0];
    if (problem) throw new AppError(E.RENDER_FAILED, { ap: id, reason: problem.issues.map((i) => `${i.field}: ${i.message}`).join('; ') }, problem.issues);
    res.json({ published: r.published[0] ? versionSummaryView(r.published[0]) : null });
  });

  router.get('/access-points/:id/config/preview', api, async (req, res) => {
    const { tenant, id } = await setup(req, res, 'read');
    const q = req.query.firmware;
    if (q !== undefined && !FIRMWARES.includes(q as Firmware)) throw validationError([{ field: 'firmware', message: `one of ${FIRMWARES.join(', ')}` }]);
    const p = await rt.publisher.requireAp(tenant.id, id);
    const firmware = (q as Firmware | undefined) ?? p.profile.firmware;
    const r = rt.publisher.render(await rt.publisher.context(tenant), p, {}, firmware);
    if (!r.ok) throw new AppError(E.RENDER_FAILED, { ap: id, reason: r.issues.map((i) => `${i.field}: ${i.message}`).join('; ') }, r.issues);
    res.json({ firmware, checksum: r.checksum, files: r.files.map((f) => ({ path: f.path, content: redactText(f.content) })) });
  });

  router.post('/config/publish', api, async (req, res) => {
    const caller = callerOf(res);
    permit(caller, 'write');
    const tenant = await tenantOf(stores, caller, req);
    const r = await rt.accessPoints.republish(tenant, null, caller.actor);
    res.json({ published: r.published.map((v) => ({ apId: v.apId, ...versionSummaryView(v) })), problems: r.problems });
  });
}
